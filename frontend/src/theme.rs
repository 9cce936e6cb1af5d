//! Light/dark theme. The stylesheet follows `prefers-color-scheme` unless `<html data-theme>` says
//! otherwise; a host page (the vSphere Client) may set that attribute or pass `?theme=` in the URL.

use leptos::prelude::*;

const ATTRIBUTE: &str = "data-theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    const ALL: [Self; 3] = [Self::System, Self::Light, Self::Dark];

    fn attribute_value(self) -> Option<&'static str> {
        match self {
            Self::System => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::System => "System",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.attribute_value() == Some(value))
    }
}

/// What the host asked for: an attribute already on `<html>` wins over `?theme=`.
fn requested() -> Theme {
    let from_attribute = document()
        .document_element()
        .and_then(|html| html.get_attribute(ATTRIBUTE));
    let from_query = || {
        let search = window().location().search().ok()?;
        web_sys::UrlSearchParams::new_with_str(&search)
            .ok()?
            .get("theme")
    };
    from_attribute
        .or_else(from_query)
        .and_then(|value| Theme::parse(&value))
        .unwrap_or(Theme::System)
}

fn apply(theme: Theme) {
    let Some(html) = document().document_element() else {
        return;
    };
    // Failing to set an attribute on <html> cannot happen in a browser; the theme is cosmetic anyway.
    let _ = match theme.attribute_value() {
        Some(value) => html.set_attribute(ATTRIBUTE, value),
        None => html.remove_attribute(ATTRIBUTE),
    };
}

/// A compact theme chooser for the header.
#[component]
pub fn ThemeSelect() -> impl IntoView {
    let theme = RwSignal::new(requested());
    Effect::new(move || apply(theme.get()));
    let on_change = move |ev| {
        if let Some(choice) = Theme::parse(&event_target_value(&ev)) {
            theme.set(choice);
        } else {
            theme.set(Theme::System);
        }
    };
    view! {
        <label class="theme-select">
            <span class="theme-select__label">"Theme"</span>
            <select on:change=on_change>
                {Theme::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option
                                value=t.attribute_value().unwrap_or("system")
                                selected=move || theme.get() == t
                            >
                                {t.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
