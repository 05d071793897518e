//! Expressions, by precedence climbing. The shapes are tree-sitter-c's:
//! a comma expression nests to the right, `a ?: b` has no consequence, a
//! string concatenation may contain names (`"a" PRIu64`).

use super::parser::{Mark, PResult, Parser};
use super::token::Tk;
use super::tree::{Field, Kind};

/// The precedence of a binary operator (0: not one).
fn binary_precedence(tk: Tk) -> u8 {
    match tk {
        Tk::PipePipe => 1,
        Tk::AmpAmp => 2,
        Tk::Pipe => 3,
        Tk::Caret => 4,
        Tk::Amp => 5,
        Tk::EqEq | Tk::Ne => 6,
        Tk::Lt | Tk::Gt | Tk::Le | Tk::Ge => 7,
        Tk::Shl | Tk::Shr => 9,
        Tk::Plus | Tk::Minus => 10,
        Tk::Star | Tk::Slash | Tk::Percent => 11,
        _ => 0,
    }
}

impl<'t> Parser<'t, '_> {
    /// An expression or a comma expression.
    pub(super) fn expr_or_comma(&mut self) -> PResult {
        let m = self.mark();
        self.expression()?;
        if self.peek() == Tk::Comma {
            self.field(Field::Left);
            self.bump();
            self.nested(|p| p.expr_or_comma())?;
            self.field(Field::Right);
            self.finish(m, Kind::CommaExpression);
        }
        Ok(())
    }

    /// An expression (tree-sitter-c's `expression`: no top-level comma).
    pub(super) fn expression(&mut self) -> PResult {
        self.nested(|p| p.assignment())
    }

    fn assignment(&mut self) -> PResult {
        let m = self.mark();
        self.conditional()?;
        if self.peek().is_assignment() {
            self.field(Field::Left);
            self.token_leaf(Field::Operator);
            self.expression()?;
            self.field(Field::Right);
            self.finish(m, Kind::AssignmentExpression);
        }
        Ok(())
    }

    fn conditional(&mut self) -> PResult {
        let m = self.mark();
        self.binary(1)?;
        if self.peek() == Tk::Question {
            self.field(Field::Condition);
            self.bump();
            if self.peek() != Tk::Colon {
                self.expr_or_comma()?;
                self.field(Field::Consequence);
            }
            self.expect(Tk::Colon, "`:` in the conditional expression")?;
            self.nested(|p| p.conditional())?;
            self.field(Field::Alternative);
            self.finish(m, Kind::ConditionalExpression);
        }
        Ok(())
    }

    /// Binary operators of precedence `min` and above, left-associative.
    fn binary(&mut self, min: u8) -> PResult {
        let m = self.mark();
        self.unary()?;
        loop {
            let p = binary_precedence(self.peek());
            if p == 0 || p < min {
                return Ok(());
            }
            self.field(Field::Left);
            self.token_leaf(Field::Operator);
            self.binary(p + 1)?;
            self.field(Field::Right);
            self.finish(m, Kind::BinaryExpression);
        }
    }

    /// Prefix operators, casts, `sizeof`, `_Alignof`, then postfix
    /// expressions.
    fn unary(&mut self) -> PResult {
        match self.peek() {
            Tk::PlusPlus | Tk::MinusMinus => self.prefix(Kind::UpdateExpression),
            Tk::Minus | Tk::Plus | Tk::Bang | Tk::Tilde => self.prefix(Kind::UnaryExpression),
            Tk::Star | Tk::Amp => self.prefix(Kind::PointerExpression),
            Tk::Sizeof => self.sizeof(),
            Tk::Alignof => self.alignof(),
            Tk::LParen if self.is_cast() => self.cast(),
            _ => {
                let m = self.mark();
                self.primary()?;
                self.postfix(m)
            }
        }
    }

    fn prefix(&mut self, kind: Kind) -> PResult {
        let m = self.mark();
        self.token_leaf(Field::Operator);
        self.nested(|p| p.unary())?;
        self.field(Field::Argument);
        self.finish(m, kind);
        Ok(())
    }

    /// At `(`: whether a type name follows. A name that is not a typedef
    /// name counts too when, after its `)`, something follows that cannot
    /// follow an expression (`(foo_t) x`): the lowerer then reports the
    /// unknown type name.
    fn is_cast(&self) -> bool {
        let at = self.pos() + 1;
        self.starts_type_name(at)
            || (self.kind_at(at) == Tk::Ident
                && self.kind_at(at + 1) == Tk::RParen
                && matches!(
                    self.kind_at(at + 2),
                    Tk::Ident | Tk::Number | Tk::Char | Tk::Str
                ))
    }

    /// `( type-name )` then an operand (a cast) or an initializer list (a
    /// compound literal, which postfix operators may follow).
    fn cast(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        self.type_descriptor()?;
        self.field(Field::Type);
        self.expect_close(Tk::RParen, open, "`)` after the type name")?;
        if self.peek() == Tk::LBrace {
            self.nested(|p| p.initializer_list())?;
            self.field(Field::Value);
            self.finish(m, Kind::CompoundLiteralExpression);
            return self.postfix(m);
        }
        self.nested(|p| p.unary())?;
        self.field(Field::Value);
        self.finish(m, Kind::CastExpression);
        Ok(())
    }

    fn sizeof(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        if self.peek() == Tk::LParen && self.starts_type_name(self.pos() + 1) {
            let open = self.pos();
            self.bump();
            self.type_descriptor()?;
            self.field(Field::Type);
            self.expect_close(Tk::RParen, open, "`)` after the type name")?;
        } else {
            self.nested(|p| p.unary())?;
            self.field(Field::Value);
        }
        self.finish(m, Kind::SizeofExpression);
        Ok(())
    }

    fn alignof(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `_Alignof`")?;
        self.type_descriptor()?;
        self.field(Field::Type);
        self.expect_close(Tk::RParen, open, "`)` after the type name")?;
        self.finish(m, Kind::AlignofExpression);
        Ok(())
    }

    /// Subscripts, calls, member accesses and postfix `++`/`--` after the
    /// operand that starts at `m`.
    fn postfix(&mut self, m: Mark) -> PResult {
        loop {
            match self.peek() {
                Tk::LBracket => {
                    self.field(Field::Argument);
                    let open = self.pos();
                    self.bump();
                    self.expression()?;
                    self.field(Field::Index);
                    self.expect_close(Tk::RBracket, open, "`]` after the index")?;
                    self.finish(m, Kind::SubscriptExpression);
                }
                Tk::LParen => {
                    self.field(Field::Function);
                    self.argument_list()?;
                    self.field(Field::Arguments);
                    self.finish(m, Kind::CallExpression);
                }
                Tk::Dot | Tk::Arrow => {
                    self.field(Field::Argument);
                    self.token_leaf(Field::Operator);
                    if !self.peek().is_name() {
                        return self.expected("a member name");
                    }
                    self.leaf(Kind::FieldIdentifier);
                    self.field(Field::Field);
                    self.finish(m, Kind::FieldExpression);
                }
                Tk::PlusPlus | Tk::MinusMinus => {
                    self.field(Field::Argument);
                    self.token_leaf(Field::Operator);
                    self.finish(m, Kind::UpdateExpression);
                }
                _ => return Ok(()),
            }
        }
    }

    /// `(` arguments `)`; an argument may be a block (for macros that take
    /// statements).
    pub(super) fn argument_list(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        if self.peek() != Tk::RParen {
            loop {
                if self.peek() == Tk::LBrace {
                    self.nested(|p| p.compound_statement())?;
                } else {
                    self.expression()?;
                }
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        self.expect_close(Tk::RParen, open, "`)` after the arguments")?;
        self.finish(m, Kind::ArgumentList);
        Ok(())
    }

    fn primary(&mut self) -> PResult {
        let tk = self.peek();
        match tk {
            Tk::Ident | Tk::Typeof if self.peek_at(1) == Tk::Str => self.string(),
            Tk::Ident | Tk::Typeof => {
                self.leaf(Kind::Identifier);
                Ok(())
            }
            Tk::Number => {
                self.leaf(Kind::NumberLiteral);
                Ok(())
            }
            Tk::Char => {
                self.leaf(Kind::CharLiteral);
                Ok(())
            }
            Tk::Str => self.string(),
            Tk::True => {
                self.leaf(Kind::True);
                Ok(())
            }
            Tk::False => {
                self.leaf(Kind::False);
                Ok(())
            }
            Tk::Null => {
                self.leaf(Kind::Null);
                Ok(())
            }
            Tk::LParen => self.parenthesized("`)`"),
            Tk::Offsetof if self.peek_at(1) == Tk::LParen => self.offsetof(),
            Tk::Generic => self.generic(),
            Tk::Asm => self.gnu_asm(),
            _ if tk.is_keyword() && self.in_attribute => {
                self.leaf(Kind::Identifier);
                Ok(())
            }
            Tk::Offsetof => {
                self.leaf(Kind::Identifier);
                Ok(())
            }
            _ => self.expected("an expression"),
        }
    }

    /// A string literal, or a concatenation of literals and names.
    fn string(&mut self) -> PResult {
        let m = self.mark();
        let mut parts = 0;
        loop {
            match self.peek() {
                Tk::Str => self.leaf(Kind::StringLiteral),
                Tk::Ident | Tk::Typeof if parts > 0 || self.peek_at(1) == Tk::Str => {
                    self.leaf(Kind::Identifier)
                }
                _ => break,
            }
            parts += 1;
        }
        if parts > 1 {
            self.finish(m, Kind::ConcatenatedString);
        }
        Ok(())
    }

    /// `( expression )`, or a GNU statement expression `({ ... })`;
    /// `close` names the `)` in an error.
    pub(super) fn parenthesized(&mut self, close: &str) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        if self.peek() == Tk::LBrace {
            self.nested(|p| p.compound_statement())?;
        } else {
            self.expr_or_comma()?;
        }
        self.expect_close(Tk::RParen, open, close)?;
        self.finish(m, Kind::ParenthesizedExpression);
        Ok(())
    }

    /// `offsetof ( type-name , member )` (the form the token rewrite left).
    fn offsetof(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        let open = self.pos();
        self.bump();
        self.type_descriptor()?;
        self.field(Field::Type);
        self.expect(Tk::Comma, "`,` after the type in `offsetof`")?;
        if !self.peek().is_name() {
            return self.expected("a member name");
        }
        self.leaf(Kind::FieldIdentifier);
        self.field(Field::Member);
        self.expect_close(Tk::RParen, open, "`)` after `offsetof`")?;
        self.finish(m, Kind::OffsetofExpression);
        Ok(())
    }

    /// `_Generic ( expression , type-name : expression ... )`.
    fn generic(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `_Generic`")?;
        self.expression()?;
        self.expect(Tk::Comma, "`,` after the controlling expression")?;
        loop {
            if !self.eat(Tk::Default) {
                self.type_descriptor()?;
            }
            self.expect(Tk::Colon, "`:` after the type name")?;
            self.expression()?;
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        self.expect_close(Tk::RParen, open, "`)` after `_Generic`")?;
        self.finish(m, Kind::GenericExpression);
        Ok(())
    }

    /// GNU `asm [qualifiers] ( string [: outputs [: inputs [: clobbers
    /// [: labels]]]] )`.
    pub(super) fn gnu_asm(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        while matches!(self.peek(), Tk::Volatile | Tk::Inline | Tk::Goto) {
            self.leaf(Kind::GnuAsmQualifier);
        }
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `asm`")?;
        if self.peek() != Tk::Str {
            return self.expected("an assembler string");
        }
        self.string()?;
        self.field(Field::AssemblyCode);
        if self.peek() == Tk::Colon {
            let kinds = (Kind::GnuAsmOutputOperandList, Kind::GnuAsmOutputOperand);
            self.asm_operands(kinds)?;
            self.field(Field::OutputOperands);
            if self.peek() == Tk::Colon {
                let kinds = (Kind::GnuAsmInputOperandList, Kind::GnuAsmInputOperand);
                self.asm_operands(kinds)?;
                self.field(Field::InputOperands);
                if self.peek() == Tk::Colon {
                    self.asm_clobbers()?;
                    self.field(Field::Clobbers);
                    if self.peek() == Tk::Colon {
                        self.asm_labels()?;
                        self.field(Field::GotoLabels);
                    }
                }
            }
        }
        self.expect_close(Tk::RParen, open, "`)` after the asm operands")?;
        self.finish(m, Kind::GnuAsmExpression);
        Ok(())
    }

    /// `:` operands, each `[symbol] "constraint" ( expression )`.
    fn asm_operands(&mut self, (list, item): (Kind, Kind)) -> PResult {
        let m = self.mark();
        self.bump();
        if !matches!(self.peek(), Tk::Colon | Tk::RParen) {
            loop {
                let om = self.mark();
                if self.eat(Tk::LBracket) {
                    if !self.peek().is_name() {
                        return self.expected("an operand name");
                    }
                    self.leaf(Kind::Identifier);
                    self.field(Field::Symbol);
                    self.expect(Tk::RBracket, "`]` after the operand name")?;
                }
                if self.peek() != Tk::Str {
                    return self.expected("an operand constraint");
                }
                self.leaf(Kind::StringLiteral);
                self.field(Field::Constraint);
                let open = self.pos();
                self.expect(Tk::LParen, "`(` after the constraint")?;
                self.expression()?;
                self.field(Field::Value);
                self.expect_close(Tk::RParen, open, "`)` after the operand")?;
                self.finish(om, item);
                self.field(Field::Operand);
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        self.finish(m, list);
        Ok(())
    }

    fn asm_clobbers(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        if self.peek() == Tk::Str {
            loop {
                self.string()?;
                self.field(Field::Register);
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        self.finish(m, Kind::GnuAsmClobberList);
        Ok(())
    }

    fn asm_labels(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        if self.peek().is_name() {
            loop {
                if !self.peek().is_name() {
                    return self.expected("a label");
                }
                self.leaf(Kind::Identifier);
                self.field(Field::Label);
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        self.finish(m, Kind::GnuAsmGotoList);
        Ok(())
    }
}
