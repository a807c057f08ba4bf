#!/usr/bin/env python3
"""Extract a time series of R's `datasets` package as CSV, without R.

Usage: r_series.py RDATA_DIR NAME > NAME.csv
  RDATA_DIR: usr/lib/R/library/datasets/data of the Debian package r-base-core, unpacked with
             `apt-get download r-base-core && dpkg -x r-base-core_*.deb DIR` (no installation).

R keeps the package's data sets in a lazy-load database: Rdata.rdx (a gzip'd serialized index:
name -> offset and length in Rdata.rdb) and Rdata.rdb (each entry: 4-byte big-endian length, a
compression byte -- 'Z' for xz/LZMA2 raw -- and the compressed serialization). The serialization is
R's XDR format ("X\\n", version 2 or 3). This reads just enough of it for a numeric `ts` object:
the REALSXP values and the `tsp` attribute (start, end, frequency). Output: `time,value` rows,
time as the decimal year R prints (start + i / frequency).
"""
import gzip
import lzma
import struct
import sys
import zlib


class Reader:
    def __init__(self, data):
        self.d, self.p = data, 0
        self.refs = []  # symbols, in the order first read: REFSXP points back into this

    def int(self):
        v = struct.unpack(">i", self.d[self.p:self.p + 4])[0]
        self.p += 4
        return v

    def raw(self, n):
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def header(self):
        assert self.raw(2) == b"X\n", "not an XDR serialization"
        version = self.int()
        self.int(); self.int()  # writer and minimal reader versions
        if version == 3:
            self.raw(self.int())  # native encoding name

    def item(self):
        flags = self.int()
        t, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if t == 254:  # NILVALUE_SXP
            return None
        if t in (242, 251, 253):  # empty env, missing arg, global env
            return None
        if t == 255:  # REFSXP
            i = flags >> 8
            return self.refs[(i if i else self.int()) - 1]
        if t == 1:  # SYMSXP
            sym = ("sym", self.item())
            self.refs.append(sym)
            return sym
        if t == 9:  # CHARSXP
            n = self.int()
            return None if n == -1 else self.raw(n).decode("utf-8", "replace")
        if t == 2:  # LISTSXP (pairlist): attributes
            out = {}
            node_attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            value = self.item()
            rest = self.item()
            key = tag[1] if isinstance(tag, tuple) and tag[0] == "sym" else tag
            out[key] = value
            if isinstance(rest, dict):
                out.update(rest)
            return out
        if t in (13, 10):  # INTSXP, LGLSXP
            n = self.int()
            v = list(struct.unpack(">%di" % n, self.raw(4 * n)))
        elif t == 14:  # REALSXP
            n = self.int()
            v = list(struct.unpack(">%dd" % n, self.raw(8 * n)))
        elif t == 16:  # STRSXP
            n = self.int()
            v = [self.item() for _ in range(n)]
        elif t == 19:  # VECSXP
            n = self.int()
            v = [self.item() for _ in range(n)]
        else:
            raise ValueError("unsupported SEXP type %d" % t)
        attrs = self.item() if has_attr else None
        return (t, v, attrs)


def load(data_dir, name):
    index = Reader(gzip.open(data_dir + "/Rdata.rdx").read())
    index.header()
    _, parts, attrs = index.item()
    names = attrs["names"][1]
    variables = parts[names.index("variables")]
    var_names = variables[2]["names"][1]
    if name not in var_names:
        sys.exit("no data set %r; there are: %s" % (name, ", ".join(var_names)))
    offset, length = variables[1][var_names.index(name)][1]
    with open(data_dir + "/Rdata.rdb", "rb") as f:
        f.seek(offset)
        blob = f.read(length)
    size, kind = struct.unpack(">i", blob[:4])[0], blob[4:5]
    if kind == b"Z":
        data = lzma.decompress(blob[5:], format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}])
    elif kind == b"2":
        import bz2
        data = bz2.decompress(blob[5:])
    else:
        data = zlib.decompress(blob[4:])
    assert len(data) == size, (len(data), size)
    r = Reader(data)
    r.header()
    return r.item()


def main():
    data_dir, name = sys.argv[1], sys.argv[2]
    t, values, attrs = load(data_dir, name)
    assert t == 14, "not a numeric series"
    start, end, freq = attrs["tsp"][1]
    assert abs(start + (len(values) - 1) / freq - end) < 1e-6, "tsp does not match the length"
    print("time,value")
    for i, v in enumerate(values):
        print("%.4f,%s" % (start + i / freq, repr(v) if v != int(v) else "%d" % v))


if __name__ == "__main__":
    main()
