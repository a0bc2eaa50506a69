//! The interactive ratatui application. The only module that imports ratatui or crossterm.
//! Not yet built: see issue 4.
