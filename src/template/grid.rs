//! A sheet's cells without its blanks: every non-empty cell with its absolute 0-based row and
//! column, in one vector sorted by row then column. Unlike a dense grid, its size follows the
//! cells the file holds, not the area they span: a stray value at `XFD1048576` costs one cell,
//! not seventeen billion. Rows are read as slices of that vector ([`GridRow`]).
//!
//! The checks read rows as [`RowView`]s, which borrow their text: from a grid, or straight
//! from the workbook's string table while a sheet is streamed.

use calamine::{Data, DataRef, Range};

/// One non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetCell {
    /// 0-based row.
    pub row: u32,
    /// 0-based column.
    pub col: u32,
    pub value: Data,
}

/// The non-empty cells of a sheet, sorted by (row, column), one cell per position.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    cells: Vec<SheetCell>,
}

/// The cells of one row, sorted by column.
#[derive(Debug, Clone, Copy)]
pub struct GridRow<'a> {
    /// 0-based row.
    pub index: u32,
    pub cells: &'a [SheetCell],
}

impl<'a> GridRow<'a> {
    /// The value at 0-based column `col`, if the cell is not empty.
    pub fn get(&self, col: u32) -> Option<&'a Data> {
        let cells: &'a [SheetCell] = self.cells;
        cells
            .binary_search_by_key(&col, |c| c.col)
            .ok()
            .map(|i| &cells[i].value)
    }

    /// The row's values, in column order.
    pub fn values(&self) -> impl Iterator<Item = &'a Data> + use<'a> {
        self.cells.iter().map(|c| &c.value)
    }
}

/// One row as the checks read it: (0-based column, value) pairs sorted by column.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'r> {
    /// 0-based row.
    pub index: u32,
    pub cells: &'r [(u32, DataRef<'r>)],
}

impl<'r> RowView<'r> {
    /// The value at 0-based column `col`, if the cell is not empty.
    pub fn get(&self, col: u32) -> Option<&'r DataRef<'r>> {
        let cells: &'r [(u32, DataRef<'r>)] = self.cells;
        cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| &cells[i].1)
    }

    pub fn values(&self) -> impl Iterator<Item = &'r DataRef<'r>> + use<'r> {
        self.cells.iter().map(|(_, value)| value)
    }
}

/// A grid cell's value, borrowing its text.
pub fn data_ref(value: &Data) -> DataRef<'_> {
    match value {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

impl<'g> GridRow<'g> {
    /// The row as the checks read it, its cells put in `buffer` (reused between rows).
    pub fn view<'b>(&self, buffer: &'b mut Vec<(u32, DataRef<'g>)>) -> RowView<'b>
    where
        'g: 'b,
    {
        buffer.clear();
        buffer.extend(self.cells.iter().map(|c| (c.col, data_ref(&c.value))));
        RowView {
            index: self.index,
            cells: buffer,
        }
    }
}

impl Grid {
    /// A grid of `cells` in any order; empty values are dropped and, of two cells at one
    /// position, the later one is kept.
    pub fn from_cells(mut cells: Vec<SheetCell>) -> Grid {
        cells.retain(|c| c.value != Data::Empty);
        let sorted = cells
            .windows(2)
            .all(|w| (w[0].row, w[0].col) < (w[1].row, w[1].col));
        if !sorted {
            // Stable, so that of two cells at one position the later stays last.
            cells.sort_by_key(|c| (c.row, c.col));
            cells.dedup_by(|later, earlier| {
                let same = (later.row, later.col) == (earlier.row, earlier.col);
                if same {
                    std::mem::swap(later, earlier);
                }
                same
            });
        }
        Grid { cells }
    }

    /// The non-empty cells of a dense range, with their absolute positions.
    pub fn from_range(mut range: Range<Data>) -> Grid {
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let used: Vec<(usize, usize)> = range.used_cells().map(|(r, c, _)| (r, c)).collect();
        let cells = used
            .into_iter()
            .map(|(r, c)| SheetCell {
                row: row0 + r as u32,
                col: col0 + c as u32,
                value: std::mem::take(&mut range[(r, c)]),
            })
            .collect();
        Grid::from_cells(cells)
    }

    /// How many non-empty cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The first row and the first column that hold a value (the top-left of the used area).
    pub fn start(&self) -> Option<(u32, u32)> {
        let first = self.cells.first()?;
        let col = self.cells.iter().map(|c| c.col).min()?;
        Some((first.row, col))
    }

    /// The value at a 0-based position, if the cell is not empty.
    pub fn get(&self, row: u32, col: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
            .ok()
            .map(|i| &self.cells[i].value)
    }

    /// Put `value` at a position (replacing what is there); empty values are not stored.
    pub fn set(&mut self, row: u32, col: u32, value: Data) {
        match self
            .cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
        {
            Ok(i) if value == Data::Empty => {
                self.cells.remove(i);
            }
            Ok(i) => self.cells[i].value = value,
            Err(_) if value == Data::Empty => {}
            Err(i) => self.cells.insert(i, SheetCell { row, col, value }),
        }
    }

    /// Every row that holds a value, from the top.
    pub fn rows(&self) -> Rows<'_> {
        Rows { rest: &self.cells }
    }

    /// The rows from 0-based row `first` on.
    pub fn rows_from(&self, first: u32) -> Rows<'_> {
        let at = self.cells.partition_point(|c| c.row < first);
        Rows {
            rest: &self.cells[at..],
        }
    }

    /// Row `index` (empty when it holds no value).
    pub fn row(&self, index: u32) -> GridRow<'_> {
        let start = self.cells.partition_point(|c| c.row < index);
        let end = start + self.cells[start..].partition_point(|c| c.row == index);
        GridRow {
            index,
            cells: &self.cells[start..end],
        }
    }

    /// Every cell, in row then column order.
    pub fn cells(&self) -> &[SheetCell] {
        &self.cells
    }

    pub fn into_cells(self) -> Vec<SheetCell> {
        self.cells
    }
}

/// The rows of a [`Grid`] that hold a value, in order.
pub struct Rows<'a> {
    rest: &'a [SheetCell],
}

impl<'a> Iterator for Rows<'a> {
    type Item = GridRow<'a>;

    fn next(&mut self) -> Option<GridRow<'a>> {
        let index = self.rest.first()?.row;
        let end = self.rest.partition_point(|c| c.row == index);
        let (cells, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(GridRow { index, cells })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: u32, col: u32, text: &str) -> SheetCell {
        SheetCell {
            row,
            col,
            value: Data::String(text.into()),
        }
    }

    #[test]
    fn cells_in_any_order_are_sorted_and_the_later_of_two_kept() {
        let grid = Grid::from_cells(vec![
            cell(5, 1, "b"),
            cell(0, 0, "a"),
            cell(5, 1, "c"),
            SheetCell {
                row: 9,
                col: 9,
                value: Data::Empty,
            },
        ]);
        assert_eq!(grid.len(), 2);
        assert_eq!(grid.get(5, 1), Some(&Data::String("c".into())));
        assert_eq!(grid.get(9, 9), None);
        assert_eq!(grid.start(), Some((0, 0)));
    }

    #[test]
    fn rows_are_slices_of_the_cells() {
        let grid = Grid::from_cells(vec![
            cell(0, 3, "h"),
            cell(2, 0, "x"),
            cell(2, 16_383, "far"),
            cell(1_048_575, 1, "last"),
        ]);
        let rows: Vec<(u32, usize)> = grid.rows().map(|r| (r.index, r.cells.len())).collect();
        assert_eq!(rows, [(0, 1), (2, 2), (1_048_575, 1)]);
        assert_eq!(grid.row(2).get(16_383), Some(&Data::String("far".into())));
        assert_eq!(grid.row(1).cells.len(), 0);
        assert_eq!(grid.rows_from(1).next().map(|r| r.index), Some(2));
        assert_eq!(grid.start(), Some((0, 0)));
    }

    #[test]
    fn set_inserts_replaces_and_removes() {
        let mut grid = Grid::from_cells(vec![cell(1, 1, "a")]);
        grid.set(0, 5, Data::Int(7));
        grid.set(1, 1, Data::Empty);
        assert_eq!(grid.len(), 1);
        assert_eq!(grid.get(0, 5), Some(&Data::Int(7)));
    }

    #[test]
    fn a_dense_range_keeps_its_absolute_positions() {
        let range = Range::from_sparse(vec![
            calamine::Cell::new((3, 2), Data::String("h".into())),
            calamine::Cell::new((4, 3), Data::Float(1.0)),
        ]);
        let grid = Grid::from_range(range);
        assert_eq!(grid.len(), 2);
        assert_eq!(grid.get(4, 3), Some(&Data::Float(1.0)));
        assert_eq!(grid.start(), Some((3, 2)));
    }
}
