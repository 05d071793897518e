//! Declarations: specifiers, declarators, struct/union/enum definitions,
//! typedefs, globals, locals and function definitions.

use crate::syntax::{Field, Kind, Node, Tk};

use super::{FnCtx, LResult, Lowerer, Reported, Sym};
use crate::ast::{FuncId, Function, Global, GlobalId, Stmt};
use crate::source::Site;
use crate::types::{FuncSig, IntTy, TypeId, TypeKind};

/// Storage class of a declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Storage {
    None,
    Static,
    Extern,
}

/// Declaration specifiers.
pub(crate) struct Specs {
    pub ty: TypeId,
    pub storage: Storage,
}

/// A parameter of a function declarator.
pub(crate) struct Param {
    pub name: Option<String>,
    pub ty: TypeId,
    pub site: Site,
}

/// The result of applying a declarator to a base type.
pub(crate) struct Declared {
    pub name: Option<(String, Site)>,
    pub ty: TypeId,
    /// Parameters of the function declarator applied directly to the name.
    pub params: Option<Vec<Param>>,
}

impl Lowerer {
    /// Reads the specifiers of a declaration-like node.
    pub(crate) fn specs(&mut self, n: Node<'_>) -> LResult<Specs> {
        let mut storage = Storage::None;
        for k in n.named_children() {
            match k.kind() {
                Kind::StorageClassSpecifier => match k.tk() {
                    Tk::Static => storage = Storage::Static,
                    Tk::Extern => storage = Storage::Extern,
                    Tk::Inline | Tk::Auto | Tk::Register => {}
                    _ => return self.unsupported(k, self.text(k)),
                },
                Kind::AttributeSpecifier => self.check_attribute(k)?,
                _ => {}
            }
        }
        let Some(t) = n.child(Field::Type) else {
            return self.err(n, "declaration without a type");
        };
        let ty = self.type_spec(t)?;
        Ok(Specs { ty, storage })
    }

    /// Rejects attributes that change layout.
    pub(crate) fn check_attribute(&mut self, n: Node<'_>) -> LResult<()> {
        let layout = n
            .tokens()
            .any(|t| t.text.contains("packed") || t.text.contains("aligned"));
        if layout {
            return self.unsupported(n, "__attribute__((packed/aligned))");
        }
        Ok(())
    }

    /// Lowers a type specifier node to a type.
    pub(crate) fn type_spec(&mut self, n: Node<'_>) -> LResult<TypeId> {
        self.nested(n, |l| l.type_spec_inner(n))
    }

    fn type_spec_inner(&mut self, n: Node<'_>) -> LResult<TypeId> {
        match n.kind() {
            Kind::PrimitiveType => self.primitive(n, self.text(n)),
            Kind::SizedTypeSpecifier => self.sized_type(n),
            Kind::TypeIdentifier => {
                let name = self.text(n);
                match self.lookup(name) {
                    Some(Sym::Typedef(t)) => Ok(t),
                    _ => self.err(n, format!("unknown type name `{name}`")),
                }
            }
            Kind::StructSpecifier => self.struct_spec(n, false),
            Kind::UnionSpecifier => self.struct_spec(n, true),
            Kind::EnumSpecifier => self.enum_spec(n),
            Kind::MacroTypeSpecifier => self.typeof_spec(n),
            k => self.unsupported(n, k.name()),
        }
    }

    fn primitive(&mut self, n: Node<'_>, name: &str) -> LResult<TypeId> {
        Ok(match name {
            "void" => TypeId::VOID,
            "bool" | "_Bool" => TypeId::BOOL,
            "char" | "int8_t" => TypeId::CHAR,
            "int" | "int32_t" => TypeId::INT,
            "size_t" | "uintptr_t" | "uint64_t" => TypeId::ULONG,
            "ssize_t" | "ptrdiff_t" | "intptr_t" | "int64_t" => TypeId::LONG,
            "uint8_t" => TypeId::UCHAR,
            "int16_t" => TypeId::SHORT,
            "uint16_t" => TypeId::USHORT,
            "uint32_t" => TypeId::UINT,
            "float" | "double" => return self.unsupported(n, "floating-point type"),
            other => return self.unsupported(n, other),
        })
    }

    fn sized_type(&mut self, n: Node<'_>) -> LResult<TypeId> {
        let (mut longs, mut short, mut unsigned, mut base) = (0, false, false, "int");
        for (t, tk) in n.tokens().zip(n.token_kinds()) {
            match (tk, t.text) {
                (Tk::Long, _) => longs += 1,
                (Tk::Short, _) => short = true,
                (Tk::Unsigned, _) => unsigned = true,
                (Tk::Signed | Tk::Const | Tk::Volatile, _) | (Tk::Prim, "int") => {}
                (Tk::Prim, "char") => base = "char",
                (Tk::Prim, "double" | "float") => {
                    return self.unsupported(n, "floating-point type")
                }
                (_, other) => return self.unsupported(n, other),
            }
        }
        let size = match (base, short, longs) {
            ("char", _, _) => 1,
            (_, true, _) => 2,
            (_, _, 0) => 4,
            _ => 8,
        };
        Ok(self.types.int_type(IntTy {
            size,
            signed: !unsigned,
        }))
    }

    /// `typeof(name)`, a macro-like type specifier in tree-sitter-c's terms.
    fn typeof_spec(&mut self, n: Node<'_>) -> LResult<TypeId> {
        let name = n.child(Field::Name).map(|c| c.tk());
        let arg = n.child(Field::Type);
        if name != Some(Tk::Typeof) {
            return self.unsupported(n, "macro-like type specifier");
        }
        let Some(arg) = arg else {
            return self.unsupported(n, "typeof");
        };
        let inner = arg.child(Field::Type);
        if let Some(t) =
            inner.filter(|t| t.kind() == Kind::TypeIdentifier && arg.named_child_count() == 1)
        {
            let e = match self.lookup(self.text(t)) {
                Some(Sym::Typedef(ty)) => return Ok(ty),
                Some(_) => self.expr_ident(t)?,
                None => return self.err(t, format!("undeclared identifier `{}`", self.text(t))),
            };
            return Ok(e.ty);
        }
        self.type_descriptor(arg)
    }

    /// A `type_descriptor` (type name in casts, sizeof, ...).
    pub(crate) fn type_descriptor(&mut self, n: Node<'_>) -> LResult<TypeId> {
        let specs = self.specs(n)?;
        match n.child(Field::Declarator) {
            Some(d) => Ok(self.declarator(specs.ty, d)?.ty),
            None => Ok(specs.ty),
        }
    }

    /// Applies a (possibly abstract) declarator to `base`.
    pub(crate) fn declarator(&mut self, base: TypeId, n: Node<'_>) -> LResult<Declared> {
        self.nested(n, |l| l.declarator_inner(base, n))
    }

    fn declarator_inner(&mut self, base: TypeId, n: Node<'_>) -> LResult<Declared> {
        let inner = n.child(Field::Declarator);
        match n.kind() {
            Kind::Identifier
            | Kind::FieldIdentifier
            | Kind::TypeIdentifier
            | Kind::PrimitiveType => Ok(Declared {
                name: Some((self.text(n).to_string(), self.site(n))),
                ty: base,
                params: None,
            }),
            Kind::PointerDeclarator | Kind::AbstractPointerDeclarator => {
                let t = self.types.ptr(base);
                self.apply_inner(t, inner)
            }
            Kind::ArrayDeclarator | Kind::AbstractArrayDeclarator => {
                let t = self.array_type(base, n)?;
                self.apply_inner(t, inner)
            }
            Kind::FunctionDeclarator | Kind::AbstractFunctionDeclarator => {
                self.function_declarator(base, n, inner)
            }
            Kind::ParenthesizedDeclarator | Kind::AbstractParenthesizedDeclarator => {
                let k = n.named_children().next();
                self.apply_inner(base, k)
            }
            k => self.unsupported(n, k.name()),
        }
    }

    fn apply_inner(&mut self, ty: TypeId, inner: Option<Node<'_>>) -> LResult<Declared> {
        match inner {
            Some(d) => self.declarator(ty, d),
            None => Ok(Declared {
                name: None,
                ty,
                params: None,
            }),
        }
    }

    fn array_type(&mut self, elem: TypeId, n: Node<'_>) -> LResult<TypeId> {
        if matches!(self.types.kind(elem), TypeKind::Func(_)) {
            return self.err(n, "array of functions");
        }
        if self.types.size_of(elem).is_none() {
            let name = self.types.name(elem);
            return self.err(n, format!("array has incomplete element type `{name}`"));
        }
        let len = match n.child(Field::Size) {
            None => None,
            Some(s) if s.kind() == Kind::Token => {
                return self.unsupported(s, "variable-length array")
            }
            Some(s) => {
                let Some(v) = self.const_int(s)? else {
                    return self.unsupported(s, "variable-length array");
                };
                if !(0..=(1 << 31)).contains(&v) {
                    return self.err(s, format!("invalid array size {v}"));
                }
                Some(v as u64)
            }
        };
        Ok(self.types.array(elem, len))
    }

    fn function_declarator(
        &mut self,
        ret: TypeId,
        n: Node<'_>,
        inner: Option<Node<'_>>,
    ) -> LResult<Declared> {
        if matches!(
            self.types.kind(ret),
            TypeKind::Array { .. } | TypeKind::Func(_)
        ) {
            return self.err(n, "function cannot return an array or function");
        }
        let (params, variadic) = match n.child(Field::Parameters) {
            Some(p) => self.parameter_list(p)?,
            None => (Vec::new(), true),
        };
        let sig = FuncSig {
            ret,
            params: params.iter().map(|p| p.ty).collect(),
            variadic,
        };
        let fty = self.types.intern(TypeKind::Func(sig));
        let direct = inner.is_some_and(|i| i.kind() == Kind::Identifier);
        let mut d = self.apply_inner(fty, inner)?;
        if direct {
            d.params = Some(params);
        }
        Ok(d)
    }

    fn parameter_list(&mut self, n: Node<'_>) -> LResult<(Vec<Param>, bool)> {
        let kids = self.kids(n);
        let mut params = Vec::new();
        let mut variadic = kids.is_empty();
        for k in kids {
            match k.kind() {
                Kind::VariadicParameter => variadic = true,
                Kind::ParameterDeclaration => {
                    let specs = self.specs(k)?;
                    let d = match k.child(Field::Declarator) {
                        Some(d) => self.declarator(specs.ty, d)?,
                        None => Declared {
                            name: None,
                            ty: specs.ty,
                            params: None,
                        },
                    };
                    params.push(Param {
                        name: d.name.map(|(n, _)| n),
                        ty: self.adjust_param(d.ty),
                        site: self.site(k),
                    });
                }
                other => return self.unsupported(k, other.name()),
            }
        }
        if params.len() == 1 && params[0].ty == TypeId::VOID && params[0].name.is_none() {
            params.clear();
        }
        Ok((params, variadic))
    }

    /// Array and function parameters become pointers.
    pub(crate) fn adjust_param(&mut self, ty: TypeId) -> TypeId {
        match self.types.kind(ty).clone() {
            TypeKind::Array { elem, .. } => self.types.ptr(elem),
            TypeKind::Func(_) => self.types.ptr(ty),
            _ => ty,
        }
    }

    fn struct_spec(&mut self, n: Node<'_>, is_union: bool) -> LResult<TypeId> {
        let name = n.child(Field::Name).map(|c| self.text(c).to_string());
        for k in self.kids(n) {
            if k.kind() == Kind::AttributeSpecifier {
                self.check_attribute(k)?;
            }
        }
        let Some(body) = n.child(Field::Body) else {
            let Some(name) = name else {
                return self.err(n, "struct without name or body");
            };
            if let Some(t) = self.lookup_tag(&name) {
                return Ok(t);
            }
            let (_, t) = self.types.new_struct(Some(&name), is_union);
            self.bind_tag(&name, t);
            return Ok(t);
        };
        let (sid, ty) = match name.as_deref().and_then(|nm| self.lookup_tag_here(nm)) {
            Some(t) => match self.types.kind(t).clone() {
                TypeKind::Struct(s) if self.types.struct_def(s).is_some_and(|d| !d.complete) => {
                    (s, t)
                }
                _ => {
                    let nm = name.clone().unwrap_or_default();
                    return self.err(n, format!("redefinition of `{nm}`"));
                }
            },
            None => {
                let (s, t) = self.types.new_struct(name.as_deref(), is_union);
                if let Some(nm) = &name {
                    self.bind_tag(nm, t);
                }
                (s, t)
            }
        };
        let members = self.field_list(body)?;
        self.types.complete_struct(sid, members);
        Ok(ty)
    }

    fn field_list(&mut self, body: Node<'_>) -> LResult<Vec<(Option<String>, TypeId)>> {
        let mut members = Vec::new();
        let mut failed = false;
        let kids = self.kids(body);
        let count = kids.len();
        for (i, f) in kids.into_iter().enumerate() {
            if f.kind() != Kind::FieldDeclaration {
                failed |= self.unsupported::<()>(f, f.kind().name()).is_err();
                continue;
            }
            match self.field_declaration(f, i + 1 == count) {
                Ok(m) => members.extend(m),
                Err(Reported) => failed = true,
            }
        }
        if failed {
            return Err(Reported);
        }
        Ok(members)
    }

    fn field_declaration(
        &mut self,
        f: Node<'_>,
        last: bool,
    ) -> LResult<Vec<(Option<String>, TypeId)>> {
        if let Some(b) = self
            .kids(f)
            .into_iter()
            .find(|k| k.kind() == Kind::BitfieldClause)
        {
            return self.unsupported(b, "bit-field");
        }
        let specs = self.specs(f)?;
        let decls: Vec<Node> = f.children_by(Field::Declarator).collect();
        if decls.is_empty() {
            let anon = f
                .child(Field::Type)
                .is_some_and(|t| t.child(Field::Name).is_none() && t.child(Field::Body).is_some());
            return Ok(if anon {
                vec![(None, specs.ty)]
            } else {
                Vec::new()
            });
        }
        let mut out = Vec::new();
        for d in decls {
            let dd = self.declarator(specs.ty, d)?;
            let name = dd.name.map(|(n, _)| n);
            let flexible = matches!(self.types.kind(dd.ty), TypeKind::Array { len: None, .. });
            if matches!(self.types.kind(dd.ty), TypeKind::Func(_)) {
                return self.err(d, "struct member has function type");
            }
            if self.types.size_of(dd.ty).is_none() && !(flexible && last) {
                let tn = self.types.name(dd.ty);
                return self.err(d, format!("struct member has incomplete type `{tn}`"));
            }
            out.push((name, dd.ty));
        }
        Ok(out)
    }

    fn enum_spec(&mut self, n: Node<'_>) -> LResult<TypeId> {
        let name = n.child(Field::Name).map(|c| self.text(c).to_string());
        let Some(body) = n.child(Field::Body) else {
            return Ok(name
                .and_then(|nm| self.lookup_tag(&nm))
                .unwrap_or(TypeId::UINT));
        };
        let mut next: i64 = 0;
        let mut values = Vec::new();
        for e in self.kids(body) {
            if e.kind() != Kind::Enumerator {
                continue;
            }
            let Some(en) = e.child(Field::Name) else {
                continue;
            };
            if let Some(v) = e.child(Field::Value) {
                match self.const_int(v)? {
                    Some(x) => next = x,
                    None => return self.err(v, "enumerator value is not an integer constant"),
                }
            }
            let ty = if i32::try_from(next).is_ok() {
                TypeId::INT
            } else {
                TypeId::LONG
            };
            let name = self.text(en).to_string();
            self.bind(&name, Sym::Enum(next as u64, ty));
            values.push(next);
            next = next.wrapping_add(1);
        }
        let all_unsigned = values.iter().all(|v| (0..=i64::from(u32::MAX)).contains(v));
        let ty = if all_unsigned {
            TypeId::UINT
        } else if values.iter().all(|v| i32::try_from(*v).is_ok()) {
            TypeId::INT
        } else {
            TypeId::LONG
        };
        if let Some(nm) = name {
            self.bind_tag(&nm, ty);
        }
        Ok(ty)
    }

    /// `typedef ...;`
    pub(crate) fn type_definition(&mut self, n: Node<'_>) -> LResult<()> {
        let specs = self.specs(n)?;
        let decls: Vec<Node> = n.children_by(Field::Declarator).collect();
        for d in decls {
            let dd = self.declarator(specs.ty, d)?;
            let Some((name, _)) = dd.name else { continue };
            if d.kind() == Kind::PrimitiveType {
                continue; // e.g. `typedef unsigned long size_t;`: builtin already
            }
            self.bind(&name, Sym::Typedef(dd.ty));
        }
        Ok(())
    }

    /// A declaration; at block scope returns the initialization statements.
    pub(crate) fn declaration(&mut self, n: Node<'_>) -> LResult<Vec<Stmt>> {
        let specs = self.specs(n)?;
        let decls: Vec<Node> = n.children_by(Field::Declarator).collect();
        let mut out = Vec::new();
        let mut failed = false;
        for d in decls {
            match self.one_declarator(&specs, d) {
                Ok(Some(s)) => out.push(s),
                Ok(None) => {}
                Err(Reported) => failed = true,
            }
        }
        if failed {
            return Err(Reported);
        }
        Ok(out)
    }

    fn one_declarator(&mut self, specs: &Specs, d: Node<'_>) -> LResult<Option<Stmt>> {
        let (dnode, init) = if d.kind() == Kind::InitDeclarator {
            (d.child(Field::Declarator), d.child(Field::Value))
        } else {
            (Some(d), None)
        };
        let Some(dnode) = dnode else {
            return self.err(d, "malformed declarator");
        };
        let dd = self.declarator(specs.ty, dnode)?;
        let Some((name, site)) = dd.name else {
            return self.err(d, "declaration without a name");
        };
        if matches!(self.types.kind(dd.ty), TypeKind::Func(_)) {
            if init.is_some() {
                return self.err(
                    d,
                    format!("function `{name}` is initialized like a variable"),
                );
            }
            self.declare_function(&name, dd.ty, site, specs.storage == Storage::Static)?;
            return Ok(None);
        }
        if self.at_file_scope() {
            self.file_global(&name, dd.ty, site, specs.storage, init)?;
            return Ok(None);
        }
        match specs.storage {
            Storage::Static => {
                self.local_static(&name, dd.ty, site, init)?;
                Ok(None)
            }
            Storage::Extern => {
                let g = self.file_global_decl(&name, dd.ty, site, Storage::Extern)?;
                self.bind(&name, Sym::Global(g));
                Ok(None)
            }
            Storage::None => self.local_decl(&name, dd.ty, site, init),
        }
    }

    /// Declares (or re-declares) a function.
    pub(crate) fn declare_function(
        &mut self,
        name: &str,
        ty: TypeId,
        site: Site,
        is_static: bool,
    ) -> LResult<FuncId> {
        if let Some(Sym::Func(id)) = self.lookup_file(name) {
            if !self.at_file_scope() {
                self.bind(name, Sym::Func(id));
            }
            return Ok(id);
        }
        if let Some(_other) = self.lookup_file(name) {
            return self.err_at(
                site,
                format!("`{name}` redeclared as a different kind of symbol"),
            );
        }
        let id = FuncId(u32::try_from(self.funcs.len()).unwrap_or(u32::MAX));
        self.funcs.push(Function {
            name: name.to_string(),
            ty,
            site,
            body: None,
            used: false,
            first_use: None,
            is_static,
        });
        self.bind_file(name, Sym::Func(id));
        if !self.at_file_scope() {
            self.bind(name, Sym::Func(id));
        }
        Ok(id)
    }

    fn file_global_decl(
        &mut self,
        name: &str,
        ty: TypeId,
        site: Site,
        storage: Storage,
    ) -> LResult<GlobalId> {
        match self.lookup_file(name) {
            Some(Sym::Global(g)) => {
                if let Some(gl) = self.globals.get_mut(g.0 as usize) {
                    let incomplete =
                        matches!(self.types.kind(gl.ty), TypeKind::Array { len: None, .. });
                    if incomplete {
                        gl.ty = ty;
                    }
                    gl.defined |= storage != Storage::Extern;
                }
                Ok(g)
            }
            Some(_) => self.err_at(
                site,
                format!("`{name}` redeclared as a different kind of symbol"),
            ),
            None => {
                let g = GlobalId(u32::try_from(self.globals.len()).unwrap_or(u32::MAX));
                self.globals.push(Global {
                    name: name.to_string(),
                    ty,
                    site,
                    init: None,
                    is_static: storage == Storage::Static,
                    defined: storage != Storage::Extern,
                    reachable: false,
                });
                self.bind_file(name, Sym::Global(g));
                Ok(g)
            }
        }
    }

    fn file_global(
        &mut self,
        name: &str,
        ty: TypeId,
        site: Site,
        storage: Storage,
        init: Option<Node<'_>>,
    ) -> LResult<()> {
        let g = self.file_global_decl(name, ty, site, storage)?;
        self.global_init(g, ty, init)
    }

    fn global_init(&mut self, g: GlobalId, ty: TypeId, init: Option<Node<'_>>) -> LResult<()> {
        let Some(init) = init else {
            return self.check_complete(g, ty);
        };
        if self
            .globals
            .get(g.0 as usize)
            .is_some_and(|gl| gl.init.is_some())
        {
            let name = self.globals[g.0 as usize].name.clone();
            return self.err(init, format!("redefinition of `{name}`"));
        }
        let saved = self.fctx.take();
        let r = self.initializer(ty, init);
        self.fctx = saved;
        let (init, ty) = r?;
        if let Some(gl) = self.globals.get_mut(g.0 as usize) {
            gl.init = Some(init);
            gl.ty = ty;
            gl.defined = true;
        }
        Ok(())
    }

    fn check_complete(&mut self, g: GlobalId, ty: TypeId) -> LResult<()> {
        let Some(gl) = self.globals.get(g.0 as usize) else {
            return Ok(());
        };
        if gl.defined
            && self.types.size_of(ty).is_none()
            && !matches!(self.types.kind(ty), TypeKind::Array { .. })
        {
            let (name, site) = (gl.name.clone(), gl.site);
            let tn = self.types.name(ty);
            return self.err_at(
                site,
                format!("variable `{name}` has incomplete type `{tn}`"),
            );
        }
        Ok(())
    }

    fn local_static(
        &mut self,
        name: &str,
        ty: TypeId,
        site: Site,
        init: Option<Node<'_>>,
    ) -> LResult<()> {
        let fname = self
            .fctx
            .as_ref()
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let g = GlobalId(u32::try_from(self.globals.len()).unwrap_or(u32::MAX));
        self.globals.push(Global {
            name: format!("{fname}.{name}"),
            ty,
            site,
            init: None,
            is_static: true,
            defined: true,
            reachable: false,
        });
        self.bind(name, Sym::Global(g));
        self.global_init(g, ty, init)
    }

    fn local_decl(
        &mut self,
        name: &str,
        ty: TypeId,
        site: Site,
        init: Option<Node<'_>>,
    ) -> LResult<Option<Stmt>> {
        let is_open_array = matches!(self.types.kind(ty), TypeKind::Array { len: None, .. });
        if self.types.size_of(ty).is_none() && !(is_open_array && init.is_some()) {
            let tn = self.types.name(ty);
            return self.err_at(
                site,
                format!("variable `{name}` has incomplete type `{tn}`"),
            );
        }
        let Some(id) = self.new_local(name, ty, site) else {
            return self.err_at(site, "too many locals");
        };
        self.bind(name, Sym::Local(id));
        let Some(init) = init else { return Ok(None) };
        let (init, ty2) = self.initializer(ty, init)?;
        if ty2 != ty {
            self.retype_local(id, ty2);
        }
        Ok(Some(Stmt::Init(id, init, site)))
    }

    /// A function definition.
    pub(crate) fn function_def(&mut self, n: Node<'_>) -> LResult<()> {
        let specs = self.specs(n)?;
        let Some(dn) = n.child(Field::Declarator) else {
            return self.err(n, "function definition without declarator");
        };
        let d = self.declarator(specs.ty, dn)?;
        let (Some((name, site)), Some(params)) = (d.name, d.params) else {
            return self.err(dn, "malformed function definition");
        };
        let id = self.declare_function(&name, d.ty, site, specs.storage == Storage::Static)?;
        if let Some(f) = self.funcs.get_mut(id.0 as usize) {
            if f.body.is_some() {
                return self.err_at(site, format!("redefinition of function `{name}`"));
            }
            f.ty = d.ty;
            f.site = site;
        }
        let ret = self.types.func_sig(d.ty).map_or(TypeId::VOID, |s| s.ret);
        if self.types.is_aggregate(ret) {
            return self.unsupported(dn, "function returning a struct by value");
        }
        let Some(body) = n.child(Field::Body) else {
            return self.err(n, "function definition without body");
        };
        self.fctx = Some(FnCtx {
            locals: Vec::new(),
            addr_taken: Vec::new(),
            ret,
            name: name.clone(),
            blocks: vec![Vec::new()],
            breakable: Vec::new(),
        });
        self.push_scope();
        let r = self.function_body(&params, body);
        self.pop_scope();
        let ctx = self.fctx.take();
        let (param_ids, block) = r?;
        let Some(ctx) = ctx else { return Err(Reported) };
        let body = super::fixup::finish_body(param_ids, ctx, block);
        if let Some(f) = self.funcs.get_mut(id.0 as usize) {
            f.body = Some(body);
        }
        Ok(())
    }

    fn function_body(
        &mut self,
        params: &[Param],
        body: Node<'_>,
    ) -> LResult<(Vec<u32>, crate::ast::Block)> {
        let mut ids = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if self.types.is_aggregate(p.ty) {
                return self.err_at(
                    p.site,
                    "unsupported C construct `struct parameter passed by value`",
                );
            }
            let name = p.name.clone().unwrap_or_else(|| format!("<param {i}>"));
            let Some(id) = self.new_local(&name, p.ty, p.site) else {
                return Err(Reported);
            };
            if p.name.is_some() {
                self.bind(&name, Sym::Local(id));
            }
            ids.push(id);
        }
        let block = self.block(body, false)?;
        Ok((ids, block))
    }
}
