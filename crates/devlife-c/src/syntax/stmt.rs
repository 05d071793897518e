//! Statements and blocks.

use super::parser::{PResult, Parser};
use super::token::Tk;
use super::tree::{Field, Kind};

impl<'t> Parser<'t, '_> {
    /// `{` block items `}`, a scope of its own.
    pub(super) fn compound_statement(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        self.push_scope();
        let r = self.block_items();
        self.pop_scope();
        r?;
        self.expect_close(Tk::RBrace, open, "`}` at the end of the block")?;
        self.finish(m, Kind::CompoundStatement);
        Ok(())
    }

    fn block_items(&mut self) -> PResult {
        while !matches!(self.peek(), Tk::RBrace | Tk::Eof) {
            self.block_item()?;
        }
        Ok(())
    }

    /// A declaration, typedef or statement.
    fn block_item(&mut self) -> PResult {
        match self.peek() {
            Tk::Typedef => self.type_definition(),
            _ if self.starts_declaration() => self.declaration_or_definition(),
            _ => self.statement(),
        }
    }

    /// A statement.
    fn statement(&mut self) -> PResult {
        self.nested(|p| p.statement_inner())
    }

    fn statement_inner(&mut self) -> PResult {
        let m = self.mark();
        match self.peek() {
            Tk::LBrace => return self.compound_statement(),
            Tk::Semi => return self.empty_statement(),
            Tk::If => {
                self.bump();
                self.condition("`(` after `if`")?;
                self.statement()?;
                self.field(Field::Consequence);
                if self.peek() == Tk::Else {
                    let em = self.mark();
                    self.bump();
                    self.statement()?;
                    self.finish(em, Kind::ElseClause);
                    self.field(Field::Alternative);
                }
                self.finish(m, Kind::IfStatement);
            }
            Tk::Switch => {
                self.bump();
                self.condition("`(` after `switch`")?;
                self.statement()?;
                self.field(Field::Body);
                self.finish(m, Kind::SwitchStatement);
            }
            Tk::Case | Tk::Default => {
                if self.eat(Tk::Case) {
                    self.expression()?;
                    self.field(Field::Value);
                    self.expect(Tk::Colon, "`:` after the case value")?;
                } else {
                    self.bump();
                    self.expect(Tk::Colon, "`:` after `default`")?;
                }
                while !matches!(self.peek(), Tk::Case | Tk::Default | Tk::RBrace | Tk::Eof) {
                    self.block_item()?;
                }
                self.finish(m, Kind::CaseStatement);
            }
            Tk::While => {
                self.bump();
                self.condition("`(` after `while`")?;
                self.statement()?;
                self.field(Field::Body);
                self.finish(m, Kind::WhileStatement);
            }
            Tk::Do => {
                self.bump();
                self.statement()?;
                self.field(Field::Body);
                self.expect(Tk::While, "`while` after the body of `do`")?;
                self.condition("`(` after `while`")?;
                self.expect(Tk::Semi, "`;` after `do ... while (...)`")?;
                self.finish(m, Kind::DoStatement);
            }
            Tk::For => self.for_statement()?,
            Tk::Return => {
                self.bump();
                if self.peek() != Tk::Semi {
                    self.expr_or_comma()?;
                }
                self.expect(Tk::Semi, "`;` after `return`")?;
                self.finish(m, Kind::ReturnStatement);
            }
            Tk::Break => {
                self.bump();
                self.expect(Tk::Semi, "`;` after `break`")?;
                self.finish(m, Kind::BreakStatement);
            }
            Tk::Continue => {
                self.bump();
                self.expect(Tk::Semi, "`;` after `continue`")?;
                self.finish(m, Kind::ContinueStatement);
            }
            Tk::Goto => {
                self.bump();
                if !self.peek().is_name() {
                    return self.expected("a label after `goto`");
                }
                self.leaf(Kind::StatementIdentifier);
                self.field(Field::Label);
                self.expect(Tk::Semi, "`;` after `goto`")?;
                self.finish(m, Kind::GotoStatement);
            }
            tk if tk.is_name() && self.peek_at(1) == Tk::Colon => {
                self.leaf(Kind::StatementIdentifier);
                self.field(Field::Label);
                self.bump();
                if self.starts_declaration() {
                    self.declaration_or_definition()?;
                } else {
                    self.statement()?;
                }
                self.finish(m, Kind::LabeledStatement);
            }
            _ => return self.expression_statement(),
        }
        Ok(())
    }

    /// `;` alone: an expression statement without an expression.
    pub(super) fn empty_statement(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        self.finish(m, Kind::ExpressionStatement);
        Ok(())
    }

    /// An expression (or comma expression) and `;`.
    pub(super) fn expression_statement(&mut self) -> PResult {
        let m = self.mark();
        self.expr_or_comma()?;
        self.expect(Tk::Semi, "`;` after expression")?;
        self.finish(m, Kind::ExpressionStatement);
        Ok(())
    }

    /// The parenthesized condition of `if`, `while` and `switch`.
    fn condition(&mut self, what: &str) -> PResult {
        if self.peek() != Tk::LParen {
            return self.expected(what);
        }
        self.parenthesized("`)` after the condition")?;
        self.field(Field::Condition);
        Ok(())
    }

    /// `for ( init ; condition ; update ) body`, its declarations in a
    /// scope of their own.
    fn for_statement(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `for`")?;
        self.push_scope();
        let r = self.for_parts(open);
        self.pop_scope();
        r?;
        self.finish(m, Kind::ForStatement);
        Ok(())
    }

    fn for_parts(&mut self, open: usize) -> PResult {
        if self.starts_declaration() {
            self.declaration_or_definition()?;
            self.field(Field::Initializer);
        } else {
            if self.peek() != Tk::Semi {
                self.expr_or_comma()?;
                self.field(Field::Initializer);
            }
            self.expect(Tk::Semi, "`;` after the initialization of `for`")?;
        }
        if self.peek() != Tk::Semi {
            self.expr_or_comma()?;
            self.field(Field::Condition);
        }
        self.expect(Tk::Semi, "`;` after the condition of `for`")?;
        if self.peek() != Tk::RParen {
            self.expr_or_comma()?;
            self.field(Field::Update);
        }
        self.expect_close(Tk::RParen, open, "`)` after the clauses of `for`")?;
        self.statement()?;
        self.field(Field::Body);
        Ok(())
    }
}
