"""The shape every collectors/ BUILD file shares (docs/building.md).

memwatch_cc_library: a cc_library whose sources default to <name>.cc and
<name>.h and whose copts default to COPTS.
memwatch_cc_test: a GoogleTest cc_test of <name>.cc linked with gtest_main.
COLLECTORS_VISIBILITY: a lower layer's packages seen by the layers above it,
the exporter and the tests (docs/architecture.md says which includes are
allowed; scripts/lint --layers checks them).
"""

load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")

COPTS = ["-Wshadow"]

COLLECTORS_VISIBILITY = [
    "//collectors:__subpackages__",
    "//exporter:__pkg__",
    "//tests:__subpackages__",
]

def memwatch_cc_library(name, srcs = None, hdrs = None, copts = COPTS, **kwargs):
    cc_library(
        name = name,
        srcs = [name + ".cc"] if srcs == None else srcs,
        hdrs = [name + ".h"] if hdrs == None else hdrs,
        copts = copts,
        **kwargs
    )

def memwatch_cc_test(name, srcs = None, deps = [], **kwargs):
    cc_test(
        name = name,
        srcs = [name + ".cc"] if srcs == None else srcs,
        deps = deps + ["@system//:gtest_main"],
        **kwargs
    )
