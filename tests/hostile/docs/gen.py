#!/usr/bin/env python3
"""Writes the hostile documents of tests/hostile/docs/cases/ (issue 10).

Run from anywhere: python3 tests/hostile/docs/gen.py.  The files are kept in
the tree (the test reads them, not this script); this script says how each
was made so that a case can be changed or added by hand.  Non-regular files
(FIFO, socket, directory, links, oversized files) are made by the test at
run time, not here.  After a change, regenerate expected.tsv with
ETLS_HOSTILE_UPDATE=1 build/bin/hostile_docs and review the diff.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases")

GOOD_SERVICE = {
    "name": "elastic",
    "service_account": "elastic",
    "service_account_secret": "elastic/secret",
    "security": {"transport_encryption": {"enabled": True}},
}
cases = {}


def raw(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    assert name not in cases, name
    cases[name] = data


def doc(name, obj):
    raw(name, json.dumps(obj, indent=2) + "\n")


def svc(fname, **kw):
    s = dict(GOOD_SERVICE)
    for k, v in kw.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    doc(fname, {"service": s, "elasticsearch": {"xpack_enabled": True}})


def env(fname, **kw):
    e = {
        "apiVersion": "etls/v1",
        "kind": "ElasticTLS",
        "package": {"name": "beta-elastic"},
        "options": {"service": dict(GOOD_SERVICE),
                    "elasticsearch": {"xpack_enabled": True}},
    }
    for k, v in kw.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    doc(fname, e)


GOOD = json.dumps({"service": GOOD_SERVICE,
                   "elasticsearch": {"xpack_enabled": True}}, indent=2)

# ---- syntax ----
for i, cut in enumerate([1, 2, 10, 25, 40, 60, 90, 120, len(GOOD) - 1]):
    raw("syntax-truncated-%02d.json" % i, GOOD[:cut])
raw("syntax-empty.json", "")
raw("syntax-whitespace.json", " \n\t\n")
raw("syntax-trailing-comma-object.json", '{"service": {"name": "elastic",}}')
raw("syntax-trailing-comma-array.json",
    '{"apiVersion": "etls/v1", "options": {}, "access": {"groups": ["a",]}}')
raw("syntax-missing-colon.json", '{"service" {"name": "elastic"}}')
raw("syntax-missing-comma.json", '{"service": {"name": "elastic" "x": 1}}')
raw("syntax-single-quotes.json", "{'service': {}}")
raw("syntax-comment-line.json", '// c\n{"service": {}}')
raw("syntax-comment-block.json", '{/* c */"service": {}}')
raw("syntax-nan.json", '{"service": {"name": NaN}}')
raw("syntax-infinity.json", '{"elasticsearch": {"x": Infinity}}')
raw("syntax-leading-zero.json", '{"elasticsearch": {"x": 012}}')
raw("syntax-plus-number.json", '{"elasticsearch": {"x": +1}}')
raw("syntax-hex-number.json", '{"elasticsearch": {"x": 0x10}}')
raw("syntax-bare-word.json", '{"service": {"name": elastic}}')
raw("syntax-unquoted-key.json", '{service: {}}')
raw("syntax-two-values.json", '{"service": {}} {"service": {}}')
raw("syntax-trailing-garbage.json", '{"service": {}} x')
raw("syntax-unterminated-string.json", '{"service": {"name": "elastic}}')
raw("syntax-unterminated-array.json",
    '{"apiVersion": "etls/v1", "access": {"groups": ["a"}}')
raw("syntax-raw-newline-in-string.json", '{"service": {"name": "ela\nstic"}}')
raw("syntax-raw-tab-in-string.json", '{"service": {"name": "ela\tstic"}}')
raw("syntax-raw-nul-in-string.json", '{"service": {"name": "ela\x00stic"}}')
raw("syntax-bad-escape.json", '{"service": {"name": "ela\\xstic"}}')
raw("syntax-short-unicode-escape.json", '{"service": {"name": "\\u12"}}')
raw("syntax-lone-high-surrogate.json", '{"service": {"name": "\\ud800"}}')
raw("syntax-lone-low-surrogate.json", '{"service": {"name": "\\udc00x"}}')
raw("syntax-escaped-nul.json", '{"service": {"name": "ela\\u0000stic"}}')
raw("syntax-colon-only.json", ":")
raw("syntax-closing-only.json", "}")
raw("syntax-exponent-only.json", '{"elasticsearch": {"x": 1e}}')
raw("syntax-minus-only.json", '{"elasticsearch": {"x": -}}')
raw("syntax-true-typo.json", '{"elasticsearch": {"xpack_enabled": tru}}')
raw("syntax-null-byte-outside.json", '{"service": {}}\x00')

# ---- types ----
raw("type-top-array.json", "[]")
raw("type-top-string.json", '"elastic"')
raw("type-top-number.json", "42")
raw("type-top-null.json", "null")
raw("type-top-true.json", "true")
doc("type-service-string.json", {"service": "elastic"})
doc("type-service-array.json", {"service": []})
doc("type-service-null.json", {"service": None})
for n, v in [("number", 5), ("null", None), ("array", ["elastic"]),
             ("object", {}), ("bool", True), ("float", 1.5)]:
    doc("type-name-%s.json" % n, {"service": {"name": v}})
for n, v in [("number", 1), ("array", []), ("object", {})]:
    svc("type-account-%s.json" % n, service_account=v)
    svc("type-secret-%s.json" % n, service_account_secret=v)
svc("type-security-string.json", security="on")
svc("type-te-array.json", security={"transport_encryption": []})
svc("type-tls-string.json",
    security={"transport_encryption": {"enabled": "true"}})
svc("type-tls-number.json", security={"transport_encryption": {"enabled": 1}})
svc("type-tls-null.json", security={"transport_encryption": {"enabled": None}})
doc("type-xpack-string.json", {"service": GOOD_SERVICE,
                               "elasticsearch": {"xpack_enabled": "yes"}})
doc("type-es-array.json", {"service": GOOD_SERVICE, "elasticsearch": []})
svc("type-strategy-number.json", update_strategy=1)
svc("type-strategy-unknown.json", update_strategy="rolling")
doc("type-health-password-number.json",
    {"service": GOOD_SERVICE, "elasticsearch": {
        "xpack_enabled": True, "health_user_password": 12345}})
env("type-env-options-array.json", options=[])
env("type-env-package-string.json", package="beta-elastic")
env("type-env-access-array.json", access=[])
env("type-env-groups-string.json", access={"groups": "superusers"})
env("type-env-verify-string.json", verify="yes")
env("type-env-policies-array.json", policies=[])
env("type-env-apiversion-number.json", apiVersion=1)
env("type-env-kind-wrong.json", kind="Elastic")
env("type-env-apiversion-wrong.json", apiVersion="etls/v2")

# ---- duplicate keys ----
raw("dup-top.json", '{"service": {"name": "a"}, "service": {"name": "b"}}')
raw("dup-name.json", '{"service": {"name": "a", "name": "b"}}')
raw("dup-escaped.json", '{"service": {"name": "a", "n\\u0061me": "b"}}')
raw("dup-deep.json", '{"service": {"security": {"transport_encryption": '
    '{"enabled": true, "enabled": false}}}}')
raw("dup-empty-key.json", '{"": 1, "": 2}')
raw("dup-es.json", '{"elasticsearch": {"xpack_enabled": true, '
    '"xpack_enabled": true}}')
raw("dup-env-options.json", '{"apiVersion": "etls/v1", "options": {}, '
    '"options": {}}')
raw("dup-env-access.json", '{"apiVersion": "etls/v1", "options": {"service":'
    ' {"name": "e"}}, "access": {"groups": ["a"], "groups": ["b"]}}')
raw("dup-three.json", '{"service": {}, "service": {}, "service": {}}')
raw("dup-case-differs-ok-but-unknown.json",
    '{"service": {"name": "e", "Name": "f"}}')

# ---- sizes ----
svc("size-name-201.json", name="/".join(["a" * 49] * 4) + "abcde")
svc("size-secret-513.json", service_account_secret="s" * 513)
svc("size-secret-2000.json", service_account_secret="a/" + "s" * 2000)
svc("size-uid-97.json", service_account="u" * 97)
svc("size-segment-64.json", name="a" * 64)
doc("size-key-100k.json", {"service": GOOD_SERVICE,
                           "elasticsearch": {"k" * 100000: 1}})
doc("size-value-100k.json", {"service": dict(GOOD_SERVICE, name="x" * 100000)})
raw("size-number-huge.json",
    '{"elasticsearch": {"xpack_enabled": true, "x": 1e999}}')
raw("size-integer-huge.json",
    '{"elasticsearch": {"heap": 99999999999999999999999999999999}}')
doc("size-many-keys.json", {"service": GOOD_SERVICE,
                            "elasticsearch": {"k%d" % i: i
                                              for i in range(3000)}})
env("size-groups-101.json",
    access={"groups": ["g%d" % i for i in range(101)]})

# ---- deep nesting ----
for depth in (20, 100, 1000, 3000, 10000):
    raw("deep-objects-%d.json" % depth,
        '{"elasticsearch": ' + '{"a": ' * depth + "1" + "}" * depth + "}")
    raw("deep-arrays-%d.json" % depth,
        '{"elasticsearch": {"a": ' + "[" * depth + "]" * depth + "}}")
raw("deep-unclosed-5000.json", '{"elasticsearch": ' + "[" * 5000)

# ---- invalid names ----
for n, v in [("upper", "Elastic"), ("underscore", "el_astic"),
             ("lead-dash", "-elastic"), ("trail-dash", "elastic-"),
             ("empty", ""), ("slash", "/"), ("double-slash", "a//b"),
             ("trail-slash", "a/"), ("dotdot-seg", "a/../b"),
             ("dot-seg", "a/./b"), ("dots", "a..b"), ("lead-dot", ".a"),
             ("space", "el astic"), ("tab", "el\tastic"),
             ("newline", "el\nastic"), ("nul", "el\u0000astic"),
             ("unicode", "\u00e9lastic"), ("emoji", "elastic\U0001F600"),
             ("backslash", "el\\astic"), ("percent", "el%2fastic"),
             ("colon", "el:astic"), ("question", "el?astic"),
             ("hash", "el#astic"), ("seg-dash", "a/-b"),
             ("two-lead-slash", "//elastic"), ("rtl", "\u202eelastic")]:
    svc("name-%s.json" % n, name=v)

# ---- secret paths ----
for n, v in [("dotdot", "elastic/../secret"), ("dotdot-only", ".."),
             ("dot", "./secret"), ("lead-slash", "/elastic/secret"),
             ("trail-slash", "elastic/"), ("double-slash", "elastic//s"),
             ("nul", "elastic/\u0000s"), ("newline", "elastic/\ns"),
             ("cr", "elastic/s\r"), ("tab", "elastic/\ts"),
             ("escape", "elastic/\u001bs"), ("del", "elastic/\u007fs"),
             ("percent", "elastic/%2e%2e"), ("space", "elastic/ s"),
             ("unicode", "elastic/s\u00e9"), ("backslash", "elastic\\s"),
             ("question", "elastic/s?list=true"), ("hash", "elastic/s#x"),
             ("colon", "elastic:s"), ("dotdot-end", "elastic/..")]:
    svc("secret-%s.json" % n, service_account_secret=v)
for n, v in [("dotdot", "a/../b"), ("lead-slash", "/pw"),
             ("newline", "pw\nx")]:
    env("secret-verify-%s.json" % n,
        verify={"password": {"secret": v}})
env("secret-verify-file-relative.json",
    verify={"password": {"file": "pw.txt"}})
env("secret-verify-file-newline.json",
    verify={"password": {"file": "/tmp/pw\n.txt"}})
env("secret-verify-env-bad.json", verify={"password": {"env": "A-B"}})

# ---- uids ----
for n, v in [("anonymous", "anonymous"), ("slash", "a/b"), ("space", "a b"),
             ("unicode", "\u00e9"), ("newline", "a\nb"), ("colon", "a:b"),
             ("percent", "a%2fb"), ("dotdot", "..%2f")]:
    svc("uid-%s.json" % n, service_account=v)

# ---- invalid UTF-8 ----
base = b'{"service": {"name": "X"}}'
for n, bad in [("ff", b"\xff"), ("fe", b"\xfe"), ("lone-cont", b"\x80"),
               ("overlong-slash", b"\xc0\xaf"), ("overlong-nul", b"\xc0\x80"),
               ("truncated-2", b"\xc3"), ("truncated-3", b"\xe2\x82"),
               ("surrogate", b"\xed\xa0\x80"), ("too-big", b"\xf4\x90\x80\x80"),
               ("five-byte", b"\xf8\x88\x80\x80\x80")]:
    raw("utf8-value-%s.json" % n, base.replace(b"X", b"e" + bad))
raw("utf8-key.json", b'{"serv\xffice": {}}')
raw("utf8-outside.json", b'{"service": {}}\xff')

# ---- envelope ----
env("env-unknown-top.json", extra=1)
env("env-unknown-package.json", package={"name": "beta-elastic", "x": 1})
env("env-package-name-bad.json", package={"name": "Beta_Elastic"})
env("env-package-version-slash.json",
    package={"name": "beta-elastic", "version": "1/2"})
env("env-package-version-space.json",
    package={"name": "beta-elastic", "version": "1 2"})
env("env-groups-and-permissions.json",
    access={"groups": ["a"], "permissions": "transport-encryption"})
env("env-rid-space.json",
    access={"permissions": [{"rid": "dcos: x", "action": "full"}]})
env("env-action-bad.json",
    access={"permissions": [{"rid": "dcos:x", "action": "all"}]})
env("env-inline-password.json", verify={"password": "changeme"})
env("env-health-bad.json", verify={"health": "blue"})
env("env-keylost-bad.json", policies={"keyLost": "ignore"})
env("env-missing-options.json", options=None)
env("env-forgotten-apiversion.json", apiVersion=None)
env("env-gid-bad.json", access={"groups": ["a b"]})
env("env-gid-empty-list.json", access={"groups": []})

for name, data in cases.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(len(cases), "cases")
