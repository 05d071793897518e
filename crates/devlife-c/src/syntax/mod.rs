//! The C parser: a hand-written recursive-descent parser over the
//! preprocessor's tokens, building a compact concrete syntax tree.
//!
//! The tree's shape follows tree-sitter-c's grammar (node kinds and field
//! names; see [`Kind`] and [`Field`]), which devlife used before: the
//! lowerer kept its logic, and `tests/differential.rs` checks the tree
//! against tree-sitter-c's on the kernel files. Where tree-sitter-c has to
//! guess, this parser knows: it tracks typedef names through C's scopes
//! (starting from the library's file-scope typedefs for a unit compiled on
//! a [`crate::Library`]), so `(T) -x` and `(T)(x)` are casts and `sizeof(T)`
//! takes a type when `T` names a type.
//!
//! Why not tree-sitter-c or another crate: it was measured. On kunit-test.c
//! (with the prelude) tree-sitter-c took 38 M of a run's 68.7 M instructions
//! (about 5,000 per token), and its tree was slow to walk; lang-c 0.15 parsed
//! the same text in 5.6 ms against tree-sitter's 8 ms, still most of a run
//! that must take under 5 ms. This parser reads the preprocessor's tokens
//! directly (no text is rendered and lexed again).
//!
//! Malformed C stops the parse at the first error, with a message naming
//! what was expected where (`syntax error: expected `;` after expression,
//! found `}``). Nesting is bounded (the lowerer's bound) and the parser's
//! stack grows on demand, and every step consumes a token or fails, so any
//! input ends with a tree or a diagnostic.

mod decl;
mod expr;
mod parser;
mod stmt;
mod token;
mod tree;

pub(crate) use token::TokenSink;
pub use token::{Tk, Token, Tokens};
pub use tree::{Field, Kind, Node, Tree};

use crate::source::Site;

/// Parses `tokens` as a translation unit. `library_typedef` says which
/// names are typedef names at file scope before the unit (those of the
/// library it continues; none for a unit of its own). Returns the tree, or
/// the first syntax error (its site and message).
pub fn parse(
    tokens: Tokens,
    library_typedef: &dyn Fn(&str) -> bool,
) -> Result<Tree, (Site, String)> {
    parser::parse(tokens, library_typedef)
}

#[cfg(test)]
mod tests;
