def log = new File(basedir, 'build.log').text
def gen = new File(basedir, 'target/generated-sources/ingot')

assert new File(gen, 'com/acme/Tiny.java').isFile()
assert new File(gen, 'ingot/generated/Echo.java').isFile()
assert new File(gen, 'com/acme/Tiny.java').text.contains('import jdk.incubator.vector')
assert new File(gen, 'com/acme/Tiny.java').text.contains('public float trainStep(int n)')
assert log.contains('[INFO] ingot: com/acme/tiny.ingot -> com/acme/Tiny.java')
assert log.contains('[INFO] ingot: echo.ingot -> ingot/generated/Echo.java')
assert new File(basedir, 'target/classes/com/acme/Tiny.class').isFile()
assert log =~ /Tests run: 2, Failures: 0, Errors: 0, Skipped: 0/
return true
