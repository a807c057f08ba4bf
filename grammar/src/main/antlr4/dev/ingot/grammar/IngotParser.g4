// The Ingot DSL: syntax. Statements need no separators; an optional ';' may end one.
// $antlr-format alignTrailingComments true, columnLimit 150, alignColons hanging, alignSemicolons hanging
parser grammar IngotParser;

options {
    tokenVocab = IngotLexer;
}

// A file holds functions, layer definitions and models, in any order.
file
    : item* EOF
    ;

item
    : fnDef
    | layerDef
    | modelDef
    ;

// fn gelu_tanh(x) = 0.5 * x * (1 + tanh(0.7978845608 * (x + 0.044715 * x ** 3)))
// fn block(x, w) { h = x @ w; return relu(h) }
fnDef
    : FN name = ID LPAREN paramList? RPAREN body
    ;

body
    : ASSIGN expr SEMI?                     # exprBody
    | LBRACE stmt* RETURN expr SEMI? RBRACE # blockBody
    ;

stmt
    : name = ID ASSIGN expr SEMI? # letStmt
    ;

paramList
    : fnParam (COMMA fnParam)* COMMA?
    ;

fnParam
    : name = ID (ASSIGN expr)?
    ;

// layer dense(n_in, n_out, activation = identity) {
//   param w: [n_in, n_out] = glorot_uniform
//   param b: [n_out] = zeros
//   forward(x) = activation(x @ w + b)
// }
layerDef
    : LAYER name = ID LPAREN paramList? RPAREN LBRACE layerStmt* forwardDef layerStmt* RBRACE
    ;

layerStmt
    : paramDecl           # layerParam
    | bufferDecl          # layerBuffer
    | fnDef               # layerFn
    | layerInst           # layerSub
    | name = ID ASSIGN expr SEMI? # layerLet
    ;

forwardDef
    : FORWARD LPAREN paramList? RPAREN body
    ;

paramDecl
    : PARAM name = ID COLON tensorType (ASSIGN init = expr)? SEMI?
    ;

layerInst
    : LAYER name = ID ASSIGN expr SEMI?
    ;

// Non-trainable state saved with the model (PyTorch's buffers), e.g. batch norm's running statistics.
bufferDecl
    : BUFFER name = ID COLON tensorType (ASSIGN init = expr)? SEMI?
    ;

// model MnistMlp { input x: f32[batch, 784]  ...  loss = softmax_cross_entropy(logits, y)  train { ... } }
modelDef
    : MODEL name = ID LBRACE modelStmt* RBRACE
    ;

modelStmt
    : INPUT name = ID COLON tensorType SEMI?           # inputDecl
    | LABEL name = ID COLON tensorType SEMI?           # labelDecl
    | paramDecl                                        # modelParam
    | layerInst                                        # modelLayer
    | fnDef                                            # modelFn
    | OUTPUT name = ID (ASSIGN expr)? SEMI?            # outputDecl
    | name = ID ASSIGN expr SEMI?                      # modelLet
    | TRAIN LBRACE ((setting | stepDecl) (COMMA? (setting | stepDecl))*)? COMMA? RBRACE # trainBlock
    ;

// One of several training steps: step disc { loss: d_loss, optimizer: adam(lr = 2e-4), params: disc }
stepDecl
    : kw = ID name = ID LBRACE (setting (COMMA? setting)*)? COMMA? RBRACE
    ;

setting
    : key = ID COLON expr
    ;

// f32[batch, 784], i32[batch], or [n_in, n_out] (f32 by default).
tensorType
    : (dtype = ID)? LBRACK (dim (COMMA dim)*)? RBRACK
    ;

dim
    : expr
    ;

// Precedence from the top: postfix (member, call, index), power, unary minus, * / @, + -, comparisons, |>.
expr
    : expr DOT name = ID                                  # memberExpr
    | callee = expr LPAREN argList? RPAREN                # callExpr
    | expr LBRACK index (COMMA index)* RBRACK             # indexExpr
    | <assoc = right> expr POW expr                       # powExpr
    | MINUS expr                                          # negExpr
    | expr op = (STAR | SLASH | AT) expr                  # mulExpr
    | expr op = (PLUS | MINUS) expr                       # addExpr
    | expr op = (LT | LE | GT | GE | EQ | NE) expr        # cmpExpr
    | expr PIPE expr                                      # pipeExpr
    | IF cond = expr THEN a = expr ELSE b = expr          # ifExpr
    | LPAREN expr RPAREN                                  # parenExpr
    | LBRACK (expr (COMMA expr)*)? COMMA? RBRACK          # listExpr
    | (INT | FLOAT)                                       # numberExpr
    | STRING                                              # stringExpr
    | ID                                                  # refExpr
    ;

argList
    : arg (COMMA arg)* COMMA?
    ;

// x[0], x[:, 1:3], x[-1], x[:, ::2]: numpy's basic indexing.
index
    : expr                                                # pointIndex
    | start = expr? COLON stop = expr? (COLON step = expr?)? # sliceIndex
    ;

arg
    : (name = ID ASSIGN)? expr
    ;
