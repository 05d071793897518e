//! The concrete syntax tree: nodes in one vector, each node's children a
//! contiguous index range, kinds and fields as enums. Its shape follows
//! tree-sitter-c's grammar (the same node kinds and field names), so that
//! the two can be compared (`tests/differential.rs`).

use super::token::{Tk, Token, Tokens};
use crate::source::Site;

macro_rules! kinds {
    ($($(#[$doc:meta])* $v:ident = $name:literal,)*) => {
        /// A node kind: tree-sitter-c's named node kinds, and [`Kind::Token`]
        /// for an anonymous token that carries a field (an operator).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Kind {
            $($(#[$doc])* #[doc = concat!("`", $name, "`")] $v,)*
        }

        impl Kind {
            /// tree-sitter-c's name for the kind (`""` for [`Kind::Token`],
            /// whose tree-sitter kind is the token's text).
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$v => $name,)*
                }
            }
        }
    };
}

kinds! {
    /// An anonymous token with a field (an operator, or `*` as an array size).
    Token = "",
    TranslationUnit = "translation_unit",
    FunctionDefinition = "function_definition",
    Declaration = "declaration",
    TypeDefinition = "type_definition",
    InitDeclarator = "init_declarator",
    StorageClassSpecifier = "storage_class_specifier",
    TypeQualifier = "type_qualifier",
    AlignasQualifier = "alignas_qualifier",
    AttributeSpecifier = "attribute_specifier",
    PrimitiveType = "primitive_type",
    SizedTypeSpecifier = "sized_type_specifier",
    TypeIdentifier = "type_identifier",
    StructSpecifier = "struct_specifier",
    UnionSpecifier = "union_specifier",
    EnumSpecifier = "enum_specifier",
    MacroTypeSpecifier = "macro_type_specifier",
    FieldDeclarationList = "field_declaration_list",
    FieldDeclaration = "field_declaration",
    FieldIdentifier = "field_identifier",
    BitfieldClause = "bitfield_clause",
    EnumeratorList = "enumerator_list",
    Enumerator = "enumerator",
    PointerDeclarator = "pointer_declarator",
    ArrayDeclarator = "array_declarator",
    FunctionDeclarator = "function_declarator",
    ParenthesizedDeclarator = "parenthesized_declarator",
    AbstractPointerDeclarator = "abstract_pointer_declarator",
    AbstractArrayDeclarator = "abstract_array_declarator",
    AbstractFunctionDeclarator = "abstract_function_declarator",
    AbstractParenthesizedDeclarator = "abstract_parenthesized_declarator",
    ParameterList = "parameter_list",
    ParameterDeclaration = "parameter_declaration",
    VariadicParameter = "variadic_parameter",
    TypeDescriptor = "type_descriptor",
    Identifier = "identifier",
    StatementIdentifier = "statement_identifier",
    CompoundStatement = "compound_statement",
    ExpressionStatement = "expression_statement",
    IfStatement = "if_statement",
    ElseClause = "else_clause",
    WhileStatement = "while_statement",
    DoStatement = "do_statement",
    ForStatement = "for_statement",
    ReturnStatement = "return_statement",
    BreakStatement = "break_statement",
    ContinueStatement = "continue_statement",
    SwitchStatement = "switch_statement",
    CaseStatement = "case_statement",
    GotoStatement = "goto_statement",
    LabeledStatement = "labeled_statement",
    NumberLiteral = "number_literal",
    CharLiteral = "char_literal",
    StringLiteral = "string_literal",
    ConcatenatedString = "concatenated_string",
    True = "true",
    False = "false",
    Null = "null",
    ParenthesizedExpression = "parenthesized_expression",
    CommaExpression = "comma_expression",
    BinaryExpression = "binary_expression",
    UnaryExpression = "unary_expression",
    PointerExpression = "pointer_expression",
    UpdateExpression = "update_expression",
    AssignmentExpression = "assignment_expression",
    CallExpression = "call_expression",
    ArgumentList = "argument_list",
    FieldExpression = "field_expression",
    SubscriptExpression = "subscript_expression",
    ConditionalExpression = "conditional_expression",
    CastExpression = "cast_expression",
    SizeofExpression = "sizeof_expression",
    AlignofExpression = "alignof_expression",
    OffsetofExpression = "offsetof_expression",
    CompoundLiteralExpression = "compound_literal_expression",
    GenericExpression = "generic_expression",
    InitializerList = "initializer_list",
    InitializerPair = "initializer_pair",
    SubscriptDesignator = "subscript_designator",
    SubscriptRangeDesignator = "subscript_range_designator",
    FieldDesignator = "field_designator",
    GnuAsmExpression = "gnu_asm_expression",
    GnuAsmQualifier = "gnu_asm_qualifier",
    GnuAsmOutputOperandList = "gnu_asm_output_operand_list",
    GnuAsmOutputOperand = "gnu_asm_output_operand",
    GnuAsmInputOperandList = "gnu_asm_input_operand_list",
    GnuAsmInputOperand = "gnu_asm_input_operand",
    GnuAsmClobberList = "gnu_asm_clobber_list",
    GnuAsmGotoList = "gnu_asm_goto_list",
}

impl Kind {
    /// Whether tree-sitter-c would call the node named (all but [`Kind::Token`]).
    pub fn is_named(self) -> bool {
        self != Kind::Token
    }
}

macro_rules! fields {
    ($($v:ident = $name:literal,)*) => {
        /// A field: the role of a child in its parent, named as in
        /// tree-sitter-c.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Field {
            /// No field.
            None,
            $(#[doc = concat!("`", $name, "`")] $v,)*
        }

        impl Field {
            /// tree-sitter-c's name for the field (`None` for no field).
            pub fn name(self) -> Option<&'static str> {
                match self {
                    Field::None => None,
                    $(Field::$v => Some($name),)*
                }
            }
        }
    };
}

fields! {
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    AssemblyCode = "assembly_code",
    Body = "body",
    Clobbers = "clobbers",
    Condition = "condition",
    Consequence = "consequence",
    Constraint = "constraint",
    Declarator = "declarator",
    Designator = "designator",
    End = "end",
    Field = "field",
    Function = "function",
    GotoLabels = "goto_labels",
    Index = "index",
    Initializer = "initializer",
    InputOperands = "input_operands",
    Label = "label",
    Left = "left",
    Member = "member",
    Name = "name",
    Operand = "operand",
    Operator = "operator",
    OutputOperands = "output_operands",
    Parameters = "parameters",
    Register = "register",
    Right = "right",
    Size = "size",
    Start = "start",
    Symbol = "symbol",
    Type = "type",
    UnderlyingType = "underlying_type",
    Update = "update",
    Value = "value",
}

/// One node: kind, field in its parent, token span and children.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeData {
    kind: Kind,
    field: Field,
    /// First token.
    first: u32,
    /// One past the last token.
    end: u32,
    /// Index of the first child in the node vector.
    kids: u32,
    /// Number of children.
    nkids: u32,
}

/// A parsed translation unit: its tokens and its nodes.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    tokens: Tokens,
    nodes: Vec<NodeData>,
}

impl Tree {
    /// The root (`translation_unit`).
    pub fn root(&self) -> Node<'_> {
        Node {
            tree: self,
            id: u32::try_from(self.nodes.len().saturating_sub(1)).unwrap_or(0),
        }
    }

    /// The tokens the tree spans.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no nodes (never true for a parsed tree).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn data(&self, id: u32) -> &NodeData {
        &self.nodes[id as usize]
    }
}

/// A node of a [`Tree`] (a cheap handle).
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t Tree,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{:?}", self.kind().name(), self.token_range())
    }
}

impl<'t> Node<'t> {
    fn data(self) -> &'t NodeData {
        self.tree.data(self.id)
    }

    /// The node's kind.
    pub fn kind(self) -> Kind {
        self.data().kind
    }

    /// The node's field in its parent.
    pub fn field(self) -> Field {
        self.data().field
    }

    /// A number identifying the node in its tree.
    pub fn id(self) -> u32 {
        self.id
    }

    /// The range of token indices the node spans.
    pub fn token_range(self) -> std::ops::Range<usize> {
        let d = self.data();
        d.first as usize..d.end as usize
    }

    /// The tokens the node spans.
    pub fn tokens(self) -> impl Iterator<Item = Token<'t>> + 't {
        let tokens = &self.tree.tokens;
        self.token_range().filter_map(move |i| tokens.get(i))
    }

    /// The classes of the tokens the node spans.
    pub fn token_kinds(self) -> &'t [Tk] {
        self.tree
            .tokens
            .kinds
            .get(self.token_range())
            .unwrap_or_default()
    }

    /// The node's first token.
    fn first_token(self) -> Option<Token<'t>> {
        let d = self.data();
        (d.first < d.end)
            .then(|| self.tree.tokens.get(d.first as usize))
            .flatten()
    }

    /// The text of the node's first token (all of a one-token node's text).
    pub fn text(self) -> &'t str {
        self.first_token().map_or("", |t| t.text)
    }

    /// The class of the node's first token.
    pub fn tk(self) -> Tk {
        self.tree.tokens.kind(self.data().first as usize)
    }

    /// The original site of the node's first token.
    pub fn site(self) -> Site {
        self.first_token().map_or(Site::NONE, |t| t.site)
    }

    /// The original site of the node's last token.
    pub fn end_site(self) -> Site {
        let d = self.data();
        (d.first < d.end)
            .then(|| self.tree.tokens.get(d.end as usize - 1))
            .flatten()
            .map_or(Site::NONE, |t| t.site)
    }

    /// All children: named nodes and anonymous tokens with a field.
    pub fn children(self) -> impl Iterator<Item = Node<'t>> + 't {
        let d = *self.data();
        let tree = self.tree;
        (d.kids..d.kids + d.nkids).map(move |id| Node { tree, id })
    }

    /// The named children.
    pub fn named_children(self) -> impl Iterator<Item = Node<'t>> + 't {
        self.children().filter(|c| c.kind().is_named())
    }

    /// The number of named children.
    pub fn named_child_count(self) -> usize {
        self.named_children().count()
    }

    /// The `i`th named child.
    pub fn named_child(self, i: usize) -> Option<Node<'t>> {
        self.named_children().nth(i)
    }

    /// The first child with field `f`.
    pub fn child(self, f: Field) -> Option<Node<'t>> {
        self.children().find(|c| c.field() == f)
    }

    /// The children with field `f`.
    pub fn children_by(self, f: Field) -> impl Iterator<Item = Node<'t>> + 't {
        self.children().filter(move |c| c.field() == f)
    }
}

/// Builds a [`Tree`] bottom-up: completed nodes wait on a stack until their
/// parent completes, which moves them into the node vector as one
/// contiguous range.
pub(crate) struct Builder {
    nodes: Vec<NodeData>,
    stack: Vec<NodeData>,
}

impl Builder {
    pub fn with_capacity(tokens: usize) -> Builder {
        Builder {
            nodes: Vec::with_capacity(tokens + tokens / 2),
            stack: Vec::with_capacity(64),
        }
    }

    /// The number of completed nodes waiting for a parent.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// A node without children over token `tok`.
    pub fn leaf(&mut self, kind: Kind, tok: u32) {
        self.stack.push(NodeData {
            kind,
            field: Field::None,
            first: tok,
            end: tok + 1,
            kids: 0,
            nkids: 0,
        });
    }

    /// Completes a node over tokens `first..end` whose children are the
    /// nodes completed since the stack had `mark` entries.
    pub fn finish(&mut self, mark: usize, kind: Kind, first: u32, end: u32) {
        let kids = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let nkids = u32::try_from(self.stack.len().saturating_sub(mark)).unwrap_or(0);
        if let Some(kids) = self.stack.get(mark..) {
            self.nodes.extend_from_slice(kids);
            self.stack.truncate(mark);
        }
        self.stack.push(NodeData {
            kind,
            field: Field::None,
            first,
            end,
            kids,
            nkids,
        });
    }

    /// Sets the field of the last completed node.
    pub fn set_field(&mut self, f: Field) {
        if let Some(n) = self.stack.last_mut() {
            n.field = f;
        }
    }

    /// Sets the field of the completed node at stack position `at`.
    pub fn set_field_at(&mut self, at: usize, f: Field) {
        if let Some(n) = self.stack.get_mut(at) {
            n.field = f;
        }
    }

    /// The tree whose root is the last completed node.
    pub fn into_tree(mut self, tokens: Tokens) -> Tree {
        self.nodes.append(&mut self.stack);
        Tree {
            tokens,
            nodes: self.nodes,
        }
    }
}
