//! The guided flow's five steps (Load → Review → Merge → Sync → History), as the steps line
//! shows them and as the number keys and `:` commands name them. Plain data: no state, no
//! drawing.

/// One step of the guided flow, shown across the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Load,
    Review,
    Merge,
    Sync,
    History,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Load,
        Step::Review,
        Step::Merge,
        Step::Sync,
        Step::History,
    ];

    pub fn number(self) -> u8 {
        match self {
            Step::Load => 1,
            Step::Review => 2,
            Step::Merge => 3,
            Step::Sync => 4,
            Step::History => 5,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Load => "Load",
            Step::Review => "Review",
            Step::Merge => "Merge",
            Step::Sync => "Sync",
            Step::History => "History",
        }
    }

    /// "2" or "review" (any case).
    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|s| text == s.number().to_string() || text.eq_ignore_ascii_case(s.title()))
    }
}
