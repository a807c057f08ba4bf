def log = new File(basedir, 'build.log').text
def java = new File(basedir, 'target/generated-sources/ingot/org/example/nn/Tiny.java')
assert java.isFile()
assert log.contains('[INFO] ingot: sub/tiny.ingot -> org/example/nn/Tiny.java')
assert !java.text.contains('jdk.incubator.vector')
assert !java.text.contains('FloatVector')
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
return true
