// The Ingot DSL: tokens.
// $antlr-format alignTrailingComments true, columnLimit 150, alignColons hanging, alignSemicolons hanging
lexer grammar IngotLexer;

// Keywords. Everything else (op names, initializers, optimizers, types) is an identifier resolved by
// the compiler, so a new op or optimizer needs no grammar change.
MODEL   : 'model';
LAYER   : 'layer';
FN      : 'fn';
INPUT   : 'input';
LABEL   : 'label';
PARAM   : 'param';
BUFFER  : 'buffer';
OUTPUT  : 'output';
TRAIN   : 'train';
RETURN  : 'return';
FORWARD : 'forward';
IMPORT  : 'import';
IF      : 'if';
THEN    : 'then';
ELSE    : 'else';

// Punctuation and operators.
LBRACE   : '{';
RBRACE   : '}';
LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
COMMA    : ',';
COLON    : ':';
SEMI     : ';';
DOT      : '.';
PIPE     : '|>';
ASSIGN   : '=';
EQ       : '==';
NE       : '!=';
LE       : '<=';
GE       : '>=';
LT       : '<';
GT       : '>';
PLUS     : '+';
MINUS    : '-';
POW      : '**';
STAR     : '*';
SLASH    : '/';
AT       : '@';

FLOAT
    : DIGITS '.' DIGITS? EXPONENT?
    | '.' DIGITS EXPONENT?
    | DIGITS EXPONENT
    ;
INT    : DIGITS;
STRING : '"' (~["\\\r\n] | '\\' .)* '"';
ID     : [a-zA-Z_] [a-zA-Z_0-9]*;

fragment DIGITS   : [0-9] ('_'? [0-9])*;
fragment EXPONENT : [eE] [+-]? [0-9]+;

LINE_COMMENT  : ('//' | '#') ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
NEWLINE       : [\r\n]+ -> channel(HIDDEN);
WS            : [ \t\f]+ -> channel(HIDDEN);

// Anything else is a lexical error, reported by the compiler with file:line:col.
ERROR_CHAR : .;
