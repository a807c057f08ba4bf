def log = new File(basedir, 'build.log').text
def models = new File(basedir, 'src/main/ingot/models').canonicalPath

// Maven's file:[line,col] form, absolute path, 1-based column; every file with an error is reported.
assert log.contains("[ERROR] ${models}/bad_shape.ingot:[4,14] matmul: [batch, 4] @ [5, 2]: inner dimensions 4 and 5 differ")
assert log.contains("[ERROR] ${models}/typo.ingot:[3,24] unknown name 'sigmod'; did you mean 'sigmoid'?")
// ... with the source line and a caret under the span
assert log.contains('      output y = relu(x) + sigmod(x)')
assert log.contains('                           ^^^^^^')
assert log.contains('ingot: 2 errors in 2 models')
assert log.contains('BUILD FAILURE')
// the good model was still generated, and no stack trace was printed
assert log.contains('[INFO] ingot: models/good.ingot -> models/Tiny.java')
assert !(log =~ /\tat dev\.ingot\./)
return true
