//! Opening and closing the VCH port (2377/tcp outbound) in host firewalls.
