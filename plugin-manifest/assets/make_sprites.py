#!/usr/bin/env python3
"""Draws vch-plugin-sprites.png (the manifest's icon sprite sheet) without any imaging library.

Two 16x16 cells side by side: "main" at x=0 (a host frame holding three containers) and
"create" at x=16 (the same with a plus). Rerun after changing a cell; the PNG is committed.
"""
import struct
import zlib

BLUE = (0, 121, 184, 255)      # Clarity action blue: readable on both vSphere Client themes
DARK = (0, 83, 128, 255)
GREEN = (48, 160, 40, 255)
CLEAR = (0, 0, 0, 0)

MAIN = [
    "................",
    ".##############.",
    ".#............#.",
    ".#.DDDD.DDDD..#.",
    ".#.DbbD.DbbD..#.",
    ".#.DDDD.DDDD..#.",
    ".#............#.",
    ".#.DDDD.DDDD..#.",
    ".#.DbbD.DbbD..#.",
    ".#.DDDD.DDDD..#.",
    ".#............#.",
    ".##############.",
    "......####......",
    "....########....",
    "................",
    "................",
]

CREATE = [row for row in MAIN]
PLUS = [
    (9, "....GG"), (10, "....GG"), (11, "..GGGGGG"), (12, "..GGGGGG"), (13, "....GG"), (14, "....GG"),
]
for y, pattern in PLUS:
    row = list(CREATE[y])
    for dx, ch in enumerate(pattern):
        if ch == "G":
            row[8 + dx] = "G"
    CREATE[y] = "".join(row)

COLOURS = {".": CLEAR, "#": BLUE, "D": DARK, "b": BLUE, "G": GREEN}


def png(rows):
    raw = b"".join(b"\x00" + b"".join(bytes(COLOURS[c]) for c in row) for row in rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    width, height = len(rows[0]), len(rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


sheet = [a + b for a, b in zip(MAIN, CREATE)]
with open("vch-plugin-sprites.png", "wb") as f:
    f.write(png(sheet))
