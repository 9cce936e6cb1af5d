//! The wizard's view-model: which step is shown, how far the user got, and which problems are
//! visible yet. Plain Rust with no Leptos types, so it is unit-tested natively; the problems
//! themselves come from `shared`'s validator, never from here.

use std::collections::BTreeSet;

/// The steps of the original vic-ui "Create Virtual Container Host" wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    General,
    Compute,
    Storage,
    Networks,
    Security,
    Registry,
    OpsUser,
    Summary,
}

impl Step {
    pub const ALL: [Self; 8] = [
        Self::General,
        Self::Compute,
        Self::Storage,
        Self::Networks,
        Self::Security,
        Self::Registry,
        Self::OpsUser,
        Self::Summary,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::General => "General",
            Self::Compute => "Compute capacity",
            Self::Storage => "Storage capacity",
            Self::Networks => "Networks",
            Self::Security => "Security",
            Self::Registry => "Registry access",
            Self::OpsUser => "Operations user",
            Self::Summary => "Summary",
        }
    }

    /// Stable token for element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Compute => "compute",
            Self::Storage => "storage",
            Self::Networks => "networks",
            Self::Security => "security",
            Self::Registry => "registry",
            Self::OpsUser => "operations",
            Self::Summary => "summary",
        }
    }

    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub fn next(self) -> Option<Self> {
        Self::ALL.get(self as usize + 1).copied()
    }

    pub fn previous(self) -> Option<Self> {
        (self as usize).checked_sub(1).map(|i| Self::ALL[i])
    }

    pub fn is_last(self) -> bool {
        self.next().is_none()
    }

    /// The step whose page shows the field at `path` (a `VchConfig` path such as
    /// `network.bridge.ip_range`). Anything the wizard has no page for lands on General, the
    /// first page, so a problem is never unreachable.
    pub fn of_path(path: &str) -> Self {
        PATH_STEPS
            .iter()
            .find(|(prefix, _)| is_within(path, prefix))
            .map_or(Self::General, |(_, step)| *step)
    }
}

/// Where each part of the model is edited: the one table that places findings on pages. The
/// target section is mostly the session's; only the compute resource is picked in the wizard.
const PATH_STEPS: [(&str, Step); 7] = [
    ("target.compute_resource", Step::Compute),
    ("compute", Step::Compute),
    ("storage", Step::Storage),
    ("network", Step::Networks),
    ("security", Step::Security),
    ("registry", Step::Registry),
    ("operations", Step::OpsUser),
];

/// One problem the validator reported, reduced to what the wizard needs to place and show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Issue {
    /// The rule id (`NV10`, `F1`, ...).
    pub code: String,
    pub path: String,
    /// Other fields the problem shows on (e.g. the public network a bridge collides with); the
    /// step is still the one of `path`.
    pub also: Vec<String>,
    pub message: String,
    /// Errors block Next/Finish; warnings and notes are shown but let the user go on.
    pub blocking: bool,
    /// Values that would fix it, in the field's own syntax, offered as one-click choices.
    pub suggestions: Vec<String>,
    /// Fixes that are not a value for the field (another option, a command), shown as text.
    pub notes: Vec<String>,
}

impl Issue {
    /// The wizard's view of a finding: where it shows, whether it blocks, and its suggestions
    /// as values for the field in `config`.
    pub fn from_finding(
        finding: &shared::Finding,
        also: Vec<String>,
        config: &shared::VchConfig,
    ) -> Self {
        let (suggestions, notes) = if is_firewall_code(&finding.code) {
            (Vec::new(), finding.suggestions.clone())
        } else {
            suggest::field_suggestions(finding, config)
        };
        Self {
            code: finding.code.clone(),
            path: finding.path.clone(),
            also,
            message: finding.message.clone(),
            blocking: finding.is_error(),
            suggestions,
            notes,
        }
    }

    /// Whether the suggestions are command lines to run (the firewall rules), not values for the
    /// field.
    pub fn suggests_commands(&self) -> bool {
        is_firewall_code(&self.code)
    }

    pub fn step(&self) -> Step {
        Step::of_path(&self.path)
    }

    /// Whether this issue belongs to the field at `field` (itself or something inside it).
    pub fn concerns(&self, field: &str) -> bool {
        std::iter::once(&self.path)
            .chain(&self.also)
            .any(|path| is_within(path, field))
    }
}

/// F1/F2: a host firewall blocks outgoing 2377/tcp; the wizard offers to open it.
pub fn is_firewall_code(code: &str) -> bool {
    matches!(code, "F1" | "F2")
}

fn is_within(path: &str, field: &str) -> bool {
    path.strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// What pressing Next (or Finish on the last step) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    Moved(Step),
    /// Navigation refused; the step shown now has its errors revealed.
    Blocked(Step),
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WizardState {
    current: Step,
    /// Steps up to here may be revisited from the step list; later ones only via Next.
    furthest: Step,
    touched: BTreeSet<String>,
    /// Steps where Next or Finish was refused: all their errors are shown, touched or not.
    attempted: BTreeSet<Step>,
}

impl Default for WizardState {
    fn default() -> Self {
        Self::new()
    }
}

impl WizardState {
    pub fn new() -> Self {
        Self {
            current: Step::General,
            furthest: Step::General,
            touched: BTreeSet::new(),
            attempted: BTreeSet::new(),
        }
    }

    pub fn current(&self) -> Step {
        self.current
    }

    pub fn can_visit(&self, step: Step) -> bool {
        step <= self.furthest
    }

    pub fn is_visited(&self, step: Step) -> bool {
        step < self.furthest || (step == self.furthest && step != self.current)
    }

    /// Jumps to a step already reached; returns false (and stays) for a step not reached yet.
    pub fn go_to(&mut self, step: Step) -> bool {
        if self.can_visit(step) {
            self.current = step;
        }
        self.current == step
    }

    /// Back never validates: leaving a half-filled step must always be possible.
    pub fn back(&mut self) -> Option<Step> {
        let previous = self.current.previous()?;
        self.current = previous;
        Some(previous)
    }

    /// Next on an ordinary step checks only that step; Finish checks every step and, if any has
    /// errors, shows the first such step.
    pub fn advance(&mut self, issues: &[Issue]) -> Advance {
        let blocked_at = if self.current.is_last() {
            issues.iter().filter(|i| i.blocking).map(Issue::step).min()
        } else {
            let current = self.current;
            issues
                .iter()
                .any(|i| i.blocking && i.step() == current)
                .then_some(current)
        };
        if let Some(step) = blocked_at {
            self.attempted.insert(step);
            self.current = step;
            return Advance::Blocked(step);
        }
        match self.current.next() {
            Some(next) => {
                self.current = next;
                self.furthest = self.furthest.max(next);
                Advance::Moved(next)
            }
            None => Advance::Finished,
        }
    }

    /// A draft brought back (after a reload or a refused create): every step may be visited.
    pub fn restored() -> Self {
        Self {
            furthest: Step::Summary,
            ..Self::new()
        }
    }

    /// Shows the first step with an error, its errors revealed; `None` when there is none.
    pub fn show_first_error(&mut self, issues: &[Issue]) -> Option<Step> {
        let step = issues
            .iter()
            .filter(|i| i.blocking)
            .map(Issue::step)
            .min()?;
        self.attempted.insert(step);
        self.furthest = self.furthest.max(step);
        self.current = step;
        Some(step)
    }

    /// After an import every step may be reviewed and every problem is shown at once.
    pub fn reveal_all(&mut self) {
        self.furthest = Step::Summary;
        self.attempted.extend(Step::ALL);
    }

    /// Whether the problems of `step` are shown regardless of touch (Next was refused there).
    pub fn is_attempted(&self, step: Step) -> bool {
        self.attempted.contains(&step)
    }

    pub fn is_touched(&self, field: &str) -> bool {
        self.touched.contains(field)
    }

    /// Marks a field as interacted with (on blur), so its problems show from now on.
    pub fn touch(&mut self, field: &str) {
        if !self.touched.contains(field) {
            self.touched.insert(field.to_owned());
        }
    }

    fn is_revealed(&self, issue: &Issue) -> bool {
        self.attempted.contains(&issue.step())
            || self.touched.iter().any(|field| issue.concerns(field))
    }

    /// The message to show under the field at `field`, if any is revealed yet; errors first.
    pub fn visible_message<'a>(&self, field: &str, issues: &'a [Issue]) -> Option<&'a Issue> {
        let mut revealed = issues
            .iter()
            .filter(|i| i.concerns(field) && self.is_revealed(i));
        let first = revealed.next()?;
        if first.blocking {
            Some(first)
        } else {
            revealed.find(|i| i.blocking).or(Some(first))
        }
    }

    /// Every revealed problem of a step, errors first, for the list at the top of the page.
    pub fn visible_on_step<'a>(&self, step: Step, issues: &'a [Issue]) -> Vec<&'a Issue> {
        let mut shown: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.step() == step && self.is_revealed(i))
            .collect();
        shown.sort_by_key(|i| !i.blocking);
        shown
    }

    /// Number of revealed errors on a step, for the badge in the step list.
    pub fn visible_error_count(&self, step: Step, issues: &[Issue]) -> usize {
        issues
            .iter()
            .filter(|i| i.blocking && i.step() == step && self.is_revealed(i))
            .count()
    }
}

mod suggest;

#[cfg(test)]
mod tests;
