//! Source files and positions: the file table and [`Site`].

/// Index of a file in a [`Files`] table.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct FileId(pub u32);

/// A position in an original source file (1-based line and byte column).
///
/// Line 0 means "no position" (for example a call made from Rust).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Site {
    /// File the position is in.
    pub file: FileId,
    /// 1-based line number.
    pub line: u32,
    /// 1-based byte column.
    pub column: u32,
}

impl Site {
    /// The "unknown position" site.
    pub const NONE: Site = Site {
        file: FileId(0),
        line: 0,
        column: 0,
    };

    /// Builds a site.
    pub fn new(file: FileId, line: u32, column: u32) -> Site {
        Site { file, line, column }
    }
}

/// A source file given to the front end: a name (used in diagnostics and
/// `__FILE__`) and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// File name as it should appear in diagnostics.
    pub name: &'a str,
    /// File contents (need not be valid UTF-8).
    pub text: &'a [u8],
}

impl<'a> Source<'a> {
    /// A source from a name and UTF-8 text.
    pub fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source {
            name,
            text: text.as_bytes(),
        }
    }
}

/// The table of file names that [`FileId`]s index.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Files {
    names: Vec<String>,
}

impl Files {
    /// An empty table.
    pub fn new() -> Files {
        Files::default()
    }

    /// Adds a file name and returns its id.
    pub fn add(&mut self, name: &str) -> FileId {
        self.names.push(name.to_string());
        FileId(u32::try_from(self.names.len() - 1).unwrap_or(u32::MAX))
    }

    /// The name of a file, or `"<unknown>"`.
    pub fn name(&self, id: FileId) -> &str {
        self.names
            .get(id.0 as usize)
            .map_or("<unknown>", String::as_str)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Looks a file up by name.
    pub fn find(&self, name: &str) -> Option<FileId> {
        let i = self.names.iter().position(|n| n == name)?;
        u32::try_from(i).ok().map(FileId)
    }

    /// Renders a site as `file:line:col`.
    pub fn render_site(&self, site: Site) -> String {
        if site.line == 0 {
            return "<unknown location>".to_string();
        }
        format!("{}:{}:{}", self.name(site.file), site.line, site.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_table_round_trips() {
        let mut f = Files::new();
        let a = f.add("a.c");
        let b = f.add("b.h");
        assert_eq!(f.name(a), "a.c");
        assert_eq!(f.name(b), "b.h");
        assert_eq!(f.find("b.h"), Some(b));
        assert_eq!(f.name(FileId(9)), "<unknown>");
        assert_eq!(f.render_site(Site::new(b, 3, 4)), "b.h:3:4");
        assert_eq!(f.render_site(Site::NONE), "<unknown location>");
    }
}
