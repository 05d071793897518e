//! Declarations: specifiers, struct/union/enum specifiers, declarators,
//! parameter lists, initializers, typedefs, function definitions and
//! attributes.

use super::parser::{PResult, Parser};
use super::token::Tk;
use super::tree::{Field, Kind};

/// Where declaration specifiers are read; it decides which specifiers may
/// appear.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    /// A declaration or function definition.
    Decl,
    /// A parameter declaration.
    Param,
    /// A struct or union member.
    Member,
    /// A type name (casts, `sizeof`, compound literals, `typeof`).
    TypeName,
    /// After `typedef`.
    Typedef,
}

impl Ctx {
    /// Storage classes and attributes are allowed.
    fn full(self) -> bool {
        matches!(self, Ctx::Decl | Ctx::Param | Ctx::Member)
    }
}

/// Whether a declarator must name something, must not, or may.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Concrete,
    Abstract,
    /// In a parameter declaration.
    Any,
}

/// What the declared name is called in the tree.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Names {
    /// `identifier`.
    Ident,
    /// `field_identifier` (struct members).
    Member,
    /// `type_identifier`, or `primitive_type` for a builtin name
    /// (`typedef unsigned long size_t;`).
    Type,
}

/// What a declarator turned out to be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Shape {
    /// Nothing was parsed.
    Empty,
    /// An abstract declarator.
    Abstract,
    /// A declarator naming the token at this index.
    Named(usize),
}

impl<'t> Parser<'t, '_> {
    /// Declaration specifiers; returns how many of them are not the type
    /// specifier.
    pub(super) fn decl_specifiers(&mut self, ctx: Ctx) -> PResult<usize> {
        let mut have_type = false;
        let mut modifiers = 0;
        loop {
            let tk = self.peek();
            if tk.is_storage() && ctx.full() {
                self.leaf(Kind::StorageClassSpecifier);
            } else if tk.is_qualifier() {
                self.leaf(Kind::TypeQualifier);
            } else if tk == Tk::Alignas {
                self.alignas()?;
            } else if tk == Tk::Attribute && ctx.full() {
                self.attribute_specifier()?;
            } else if !have_type && self.starts_type_specifier() {
                self.type_specifier(ctx)?;
                self.field(Field::Type);
                have_type = true;
                continue;
            } else if !have_type && tk == Tk::Ident {
                self.leaf(Kind::TypeIdentifier);
                self.field(Field::Type);
                have_type = true;
                continue;
            } else {
                break;
            }
            modifiers += 1;
        }
        if !have_type {
            return self.expected("a type");
        }
        Ok(modifiers)
    }

    fn starts_type_specifier(&self) -> bool {
        match self.peek() {
            Tk::Prim | Tk::Struct | Tk::Union | Tk::Enum => true,
            Tk::Typeof => self.peek_at(1) == Tk::LParen,
            tk => tk.is_sized(),
        }
    }

    fn type_specifier(&mut self, ctx: Ctx) -> PResult {
        match self.peek() {
            Tk::Struct => self.nested(|p| p.struct_specifier(Kind::StructSpecifier)),
            Tk::Union => self.nested(|p| p.struct_specifier(Kind::UnionSpecifier)),
            Tk::Enum => self.nested(|p| p.enum_specifier()),
            Tk::Typeof => self.typeof_specifier(),
            _ => {
                self.sized_or_primitive(ctx);
                Ok(())
            }
        }
    }

    /// `int`, `unsigned long`, `long int unsigned`...: a run of
    /// `signed`/`unsigned`/`long`/`short` around at most one primitive type
    /// is a `sized_type_specifier` (the primitive its `type`).
    fn sized_or_primitive(&mut self, ctx: Ctx) {
        let m = self.mark();
        let (mut sized, mut prim) = (false, false);
        loop {
            let tk = self.peek();
            if tk.is_sized() {
                self.bump();
                sized = true;
            } else if tk == Tk::Prim && !prim {
                // `typedef unsigned long size_t;`: the name is the declarator.
                let next = self.peek_at(1);
                let ends = matches!(
                    next,
                    Tk::Semi | Tk::Comma | Tk::RParen | Tk::LBracket | Tk::Attribute
                );
                if ctx == Ctx::Typedef && sized && ends {
                    break;
                }
                self.leaf(Kind::PrimitiveType);
                self.field(Field::Type);
                prim = true;
            } else if tk.is_qualifier() && sized && !prim && self.qualifiers_then_primitive() {
                self.leaf(Kind::TypeQualifier);
            } else {
                break;
            }
        }
        if sized {
            self.finish(m, Kind::SizedTypeSpecifier);
        }
    }

    /// Whether qualifiers and then a primitive type follow.
    fn qualifiers_then_primitive(&self) -> bool {
        let mut i = self.pos();
        while self.kind_at(i).is_qualifier() {
            i += 1;
        }
        self.kind_at(i) == Tk::Prim
    }

    /// `struct`/`union` [attributes] [name] [`{` members `}`] [attribute].
    fn struct_specifier(&mut self, kind: Kind) -> PResult {
        let m = self.mark();
        self.bump();
        while self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        if self.peek().is_name() {
            self.leaf(Kind::TypeIdentifier);
            self.field(Field::Name);
            if self.peek() == Tk::LBrace {
                self.field_declaration_list()?;
                self.field(Field::Body);
            }
        } else if self.peek() == Tk::LBrace {
            self.field_declaration_list()?;
            self.field(Field::Body);
        } else if kind == Kind::StructSpecifier {
            return self.expected("a struct name or `{`");
        } else {
            return self.expected("a union name or `{`");
        }
        if self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        self.finish(m, kind);
        Ok(())
    }

    fn field_declaration_list(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        while !matches!(self.peek(), Tk::RBrace | Tk::Eof) {
            self.field_declaration()?;
        }
        self.expect_close(Tk::RBrace, open, "`}` after the members")?;
        self.finish(m, Kind::FieldDeclarationList);
        Ok(())
    }

    fn field_declaration(&mut self) -> PResult {
        let m = self.mark();
        self.decl_specifiers(Ctx::Member)?;
        if !matches!(self.peek(), Tk::Semi | Tk::Attribute) {
            loop {
                if self.peek() != Tk::Colon {
                    self.declarator(Mode::Concrete, Names::Member)?;
                    self.field(Field::Declarator);
                }
                if self.peek() == Tk::Colon {
                    let bm = self.mark();
                    self.bump();
                    self.expression()?;
                    self.finish(bm, Kind::BitfieldClause);
                }
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        while self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        self.expect(Tk::Semi, "`;` after the member")?;
        self.finish(m, Kind::FieldDeclaration);
        Ok(())
    }

    /// `enum` [name [`:` type]] [`{` enumerators `}`] [attribute].
    fn enum_specifier(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        if self.peek().is_name() {
            self.leaf(Kind::TypeIdentifier);
            self.field(Field::Name);
            if self.eat(Tk::Colon) {
                if self.peek() != Tk::Prim {
                    return self.expected("a primitive type");
                }
                self.leaf(Kind::PrimitiveType);
                self.field(Field::UnderlyingType);
            }
            if self.peek() == Tk::LBrace {
                self.enumerator_list()?;
                self.field(Field::Body);
            }
        } else if self.peek() == Tk::LBrace {
            self.enumerator_list()?;
            self.field(Field::Body);
        } else {
            return self.expected("an enum name or `{`");
        }
        if self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        self.finish(m, Kind::EnumSpecifier);
        Ok(())
    }

    fn enumerator_list(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        while self.peek() != Tk::RBrace {
            if !self.peek().is_name() {
                return self.expected("an enumerator");
            }
            let em = self.mark();
            let name = self.pos();
            self.leaf(Kind::Identifier);
            self.field(Field::Name);
            if self.eat(Tk::Assign) {
                self.expression()?;
                self.field(Field::Value);
            }
            self.finish(em, Kind::Enumerator);
            self.declare(name, false);
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        self.expect_close(Tk::RBrace, open, "`}` after the enumerators")?;
        self.finish(m, Kind::EnumeratorList);
        Ok(())
    }

    /// `typeof ( type-name )`: tree-sitter-c's macro-like type specifier.
    fn typeof_specifier(&mut self) -> PResult {
        let m = self.mark();
        self.leaf(Kind::Identifier);
        self.field(Field::Name);
        let open = self.pos();
        self.bump();
        self.type_descriptor()?;
        self.field(Field::Type);
        self.expect_close(Tk::RParen, open, "`)` after the type in `typeof`")?;
        self.finish(m, Kind::MacroTypeSpecifier);
        Ok(())
    }

    /// A type name: qualifiers, a type specifier and an abstract declarator.
    pub(super) fn type_descriptor(&mut self) -> PResult {
        let m = self.mark();
        self.decl_specifiers(Ctx::TypeName)?;
        if matches!(self.peek(), Tk::Star | Tk::LParen | Tk::LBracket) {
            let shape = self.declarator(Mode::Abstract, Names::Ident)?;
            if shape != Shape::Empty {
                self.field(Field::Declarator);
            }
        }
        self.finish(m, Kind::TypeDescriptor);
        Ok(())
    }

    /// A declarator (pointers, then a name or a parenthesized declarator,
    /// then array and function suffixes).
    pub(super) fn declarator(&mut self, mode: Mode, names: Names) -> PResult<Shape> {
        if self.peek() == Tk::Star {
            return self.nested(|p| p.pointer_declarator(mode, names));
        }
        self.direct_declarator(mode, names)
    }

    fn pointer_declarator(&mut self, mode: Mode, names: Names) -> PResult<Shape> {
        let m = self.mark();
        self.bump();
        while self.peek().is_qualifier() {
            self.leaf(Kind::TypeQualifier);
        }
        let inner = self.declarator(mode, names)?;
        if inner != Shape::Empty {
            self.field(Field::Declarator);
        }
        let (kind, shape) = match inner {
            Shape::Named(n) => (Kind::PointerDeclarator, Shape::Named(n)),
            _ => (Kind::AbstractPointerDeclarator, Shape::Abstract),
        };
        self.finish(m, kind);
        Ok(shape)
    }

    fn direct_declarator(&mut self, mode: Mode, names: Names) -> PResult<Shape> {
        let m = self.mark();
        let tk = self.peek();
        let builtin_name = names == Names::Type && (tk == Tk::Prim || tk.is_sized());
        let mut shape = Shape::Empty;
        let mut direct_name = false;
        if mode != Mode::Abstract && (tk.is_name() || builtin_name) {
            let kind = match names {
                Names::Ident => Kind::Identifier,
                Names::Member => Kind::FieldIdentifier,
                Names::Type if builtin_name => Kind::PrimitiveType,
                Names::Type => Kind::TypeIdentifier,
            };
            shape = Shape::Named(self.pos());
            direct_name = true;
            self.leaf(kind);
        } else if tk == Tk::LParen && (mode == Mode::Concrete || !self.paren_starts_parameters()) {
            let open = self.pos();
            self.bump();
            shape = self.nested(|p| p.declarator(mode, names))?;
            if shape == Shape::Empty {
                return self.expected("a declarator");
            }
            self.expect_close(Tk::RParen, open, "`)` after the declarator")?;
            let kind = match shape {
                Shape::Named(_) => Kind::ParenthesizedDeclarator,
                _ => Kind::AbstractParenthesizedDeclarator,
            };
            self.finish(m, kind);
        }
        if mode == Mode::Concrete && shape == Shape::Empty {
            return self.expected("a declarator");
        }
        loop {
            let kind = match (self.peek(), shape) {
                (Tk::LBracket, Shape::Named(_)) => Kind::ArrayDeclarator,
                (Tk::LBracket, _) => Kind::AbstractArrayDeclarator,
                (Tk::LParen, Shape::Named(_)) => Kind::FunctionDeclarator,
                (Tk::LParen, _) => Kind::AbstractFunctionDeclarator,
                _ => break,
            };
            if shape != Shape::Empty {
                self.field(Field::Declarator);
            }
            if kind == Kind::ArrayDeclarator || kind == Kind::AbstractArrayDeclarator {
                self.array_suffix()?;
            } else {
                let start = self.param_names.len();
                self.parameter_list()?;
                self.field(Field::Parameters);
                if direct_name {
                    self.params.clear();
                    self.params.extend_from_slice(&self.param_names[start..]);
                }
                self.param_names.truncate(start);
                if kind == Kind::FunctionDeclarator {
                    if self.peek() == Tk::Asm {
                        self.gnu_asm()?;
                    }
                    while self.peek() == Tk::Attribute {
                        self.attribute_specifier()?;
                    }
                }
            }
            self.finish(m, kind);
            direct_name = false;
            if shape == Shape::Empty {
                shape = Shape::Abstract;
            }
        }
        Ok(shape)
    }

    /// `[` qualifiers/`static` [size] `]` of an array declarator.
    fn array_suffix(&mut self) -> PResult {
        let open = self.pos();
        self.bump();
        loop {
            match self.peek() {
                Tk::Static => self.bump(),
                tk if tk.is_qualifier() => self.leaf(Kind::TypeQualifier),
                _ => break,
            }
        }
        if self.peek() == Tk::Star && self.peek_at(1) == Tk::RBracket {
            self.token_leaf(Field::Size);
        } else if self.peek() != Tk::RBracket {
            self.expression()?;
            self.field(Field::Size);
        }
        self.expect_close(Tk::RBracket, open, "`]` after the array size")
    }

    /// At `(` after a parameter's type or in a type name: whether it opens
    /// a parameter list (of an abstract function declarator) rather than a
    /// parenthesized declarator.
    fn paren_starts_parameters(&self) -> bool {
        let tk = self.peek_at(1);
        match tk {
            Tk::RParen | Tk::Ellipsis => true,
            _ if tk.is_storage() || tk.is_qualifier() || tk.is_sized() => true,
            Tk::Prim | Tk::Struct | Tk::Union | Tk::Enum | Tk::Attribute | Tk::Alignas => true,
            Tk::Typeof => true,
            Tk::Ident => self.is_typedef_at(self.pos() + 1),
            _ => false,
        }
    }

    /// `(` parameter declarations `)`; their names are pushed on
    /// `param_names`.
    fn parameter_list(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        self.push_scope();
        let r = self.parameters();
        self.pop_scope();
        r?;
        self.expect_close(Tk::RParen, open, "`)` after the parameters")?;
        self.finish(m, Kind::ParameterList);
        Ok(())
    }

    fn parameters(&mut self) -> PResult {
        if self.peek() == Tk::RParen {
            return Ok(());
        }
        loop {
            if self.peek() == Tk::Ellipsis {
                self.leaf(Kind::VariadicParameter);
            } else {
                let m = self.mark();
                self.decl_specifiers(Ctx::Param)?;
                if !matches!(self.peek(), Tk::Comma | Tk::RParen | Tk::Attribute) {
                    let shape = self.declarator(Mode::Any, Names::Ident)?;
                    if shape != Shape::Empty {
                        self.field(Field::Declarator);
                    }
                    if let Shape::Named(i) = shape {
                        self.declare(i, false);
                        let name = self.text_at(i);
                        self.param_names.push(name);
                    }
                }
                while self.peek() == Tk::Attribute {
                    self.attribute_specifier()?;
                }
                self.finish(m, Kind::ParameterDeclaration);
            }
            if !self.eat(Tk::Comma) {
                return Ok(());
            }
        }
    }

    /// A declaration, or a function definition.
    pub(super) fn declaration_or_definition(&mut self) -> PResult {
        let m = self.mark();
        let modifiers = self.decl_specifiers(Ctx::Decl)?;
        if self.peek() == Tk::Semi {
            self.bump();
            if modifiers == 0 {
                // tree-sitter-c's `_empty_declaration`: the type specifier
                // (`struct s { ... };`) stands alone.
                self.field(Field::None);
            } else {
                self.finish(m, Kind::Declaration);
            }
            return Ok(());
        }
        self.params.clear();
        let dm = self.mark();
        let shape = self.declarator(Mode::Concrete, Names::Ident)?;
        self.field(Field::Declarator);
        if self.peek() == Tk::LBrace {
            return self.function_body(m, shape);
        }
        self.declarator_rest(dm, shape)?;
        while self.eat(Tk::Comma) {
            let dm = self.mark();
            let shape = self.declarator(Mode::Concrete, Names::Ident)?;
            self.field(Field::Declarator);
            self.declarator_rest(dm, shape)?;
        }
        self.expect(Tk::Semi, "`;` after the declaration")?;
        self.finish(m, Kind::Declaration);
        Ok(())
    }

    /// What follows a declarator in a declaration: an asm label,
    /// attributes, an initializer.
    fn declarator_rest(&mut self, dm: super::parser::Mark, shape: Shape) -> PResult {
        if let Shape::Named(i) = shape {
            self.declare(i, false);
        }
        if self.peek() == Tk::Asm {
            // tree-sitter-c's field covers the declarator and its asm label.
            self.gnu_asm()?;
            self.field(Field::Declarator);
        }
        while self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        if self.eat(Tk::Assign) {
            self.initializer()?;
            self.field(Field::Value);
            self.finish(dm, Kind::InitDeclarator);
            self.field(Field::Declarator);
        }
        Ok(())
    }

    /// The body of a function definition; its parameters are in scope.
    fn function_body(&mut self, m: super::parser::Mark, shape: Shape) -> PResult {
        if let Shape::Named(i) = shape {
            self.declare(i, false);
        }
        let params = std::mem::take(&mut self.params);
        self.push_scope();
        for p in &params {
            self.declare_name(p);
        }
        let r = self.compound_statement();
        self.pop_scope();
        self.params = params;
        r?;
        self.field(Field::Body);
        self.finish(m, Kind::FunctionDefinition);
        Ok(())
    }

    /// `typedef` type declarators `;`.
    pub(super) fn type_definition(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        self.decl_specifiers(Ctx::Typedef)?;
        loop {
            let shape = self.declarator(Mode::Concrete, Names::Type)?;
            self.field(Field::Declarator);
            if let Shape::Named(i) = shape {
                if self.kind_at(i).is_name() {
                    self.declare(i, true);
                }
            }
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        while self.peek() == Tk::Attribute {
            self.attribute_specifier()?;
        }
        self.expect(Tk::Semi, "`;` after the typedef")?;
        self.finish(m, Kind::TypeDefinition);
        Ok(())
    }

    /// An initializer: a braced list or an expression.
    pub(super) fn initializer(&mut self) -> PResult {
        if self.peek() == Tk::LBrace {
            self.nested(|p| p.initializer_list())
        } else {
            self.expression()
        }
    }

    /// `{` initializers, possibly designated `}`.
    pub(super) fn initializer_list(&mut self) -> PResult {
        let m = self.mark();
        let open = self.pos();
        self.bump();
        while self.peek() != Tk::RBrace {
            self.initializer_item()?;
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        self.expect_close(Tk::RBrace, open, "`}` after the initializers")?;
        self.finish(m, Kind::InitializerList);
        Ok(())
    }

    fn initializer_item(&mut self) -> PResult {
        match self.peek() {
            Tk::Dot | Tk::LBracket => {
                let m = self.mark();
                while matches!(self.peek(), Tk::Dot | Tk::LBracket) {
                    self.designator()?;
                    self.field(Field::Designator);
                }
                self.expect(Tk::Assign, "`=` after the designator")?;
                self.initializer()?;
                self.field(Field::Value);
                self.finish(m, Kind::InitializerPair);
                Ok(())
            }
            tk if tk.is_name() && self.peek_at(1) == Tk::Colon => {
                // GNU `member: value`.
                let m = self.mark();
                self.leaf(Kind::FieldIdentifier);
                self.field(Field::Designator);
                self.bump();
                self.initializer()?;
                self.field(Field::Value);
                self.finish(m, Kind::InitializerPair);
                Ok(())
            }
            _ => self.initializer(),
        }
    }

    /// `.member`, `[index]` or `[first ... last]`.
    fn designator(&mut self) -> PResult {
        let m = self.mark();
        if self.eat(Tk::Dot) {
            if !self.peek().is_name() {
                return self.expected("a member name after `.`");
            }
            self.leaf(Kind::FieldIdentifier);
            self.finish(m, Kind::FieldDesignator);
            return Ok(());
        }
        let open = self.pos();
        self.bump();
        let first = self.mark();
        self.expression()?;
        let kind = if self.eat(Tk::Ellipsis) {
            self.field_at(first, Field::Start);
            self.expression()?;
            self.field(Field::End);
            Kind::SubscriptRangeDesignator
        } else {
            Kind::SubscriptDesignator
        };
        self.expect_close(Tk::RBracket, open, "`]` after the designator")?;
        self.finish(m, kind);
        Ok(())
    }

    /// `__attribute__ ( ( ... ) )`.
    pub(super) fn attribute_specifier(&mut self) -> PResult {
        let m = self.mark();
        self.bump();
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `__attribute__`")?;
        let saved = self.in_attribute;
        self.in_attribute = true;
        let r = if self.peek() == Tk::LParen {
            self.argument_list()
        } else {
            self.expected("`(` in `__attribute__`")
        };
        self.in_attribute = saved;
        r?;
        self.expect_close(Tk::RParen, open, "`)` after the attribute")?;
        self.finish(m, Kind::AttributeSpecifier);
        Ok(())
    }

    /// `_Alignas ( type-name or expression )`, a type qualifier.
    fn alignas(&mut self) -> PResult {
        let m = self.mark();
        let am = self.mark();
        self.bump();
        let open = self.pos();
        self.expect(Tk::LParen, "`(` after `_Alignas`")?;
        if self.starts_type_name(self.pos()) {
            self.type_descriptor()?;
        } else {
            self.expression()?;
        }
        self.expect_close(Tk::RParen, open, "`)` after the alignment")?;
        self.finish(am, Kind::AlignasQualifier);
        self.finish(m, Kind::TypeQualifier);
        Ok(())
    }
}
