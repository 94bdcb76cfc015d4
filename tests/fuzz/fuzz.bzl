"""fuzz_test: one libFuzzer target (LLVMFuzzerTestOneInput) per parser of outside input.

Under the normal build (g++), the target links a small driver that replays every file
of its corpus, so `bazel test` (also under --config=asan) runs the corpus as a
regression test. scripts/fuzz builds the same sources with clang-14 and
--define=fuzz=1, where libFuzzer supplies main() and explores from that corpus.
"""

load("@rules_cc//cc:defs.bzl", "cc_test")

def fuzz_test(name, srcs, deps, corpus, **kwargs):
    cc_test(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//tests/fuzz:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:replay_main"],
        }),
        data = native.glob([corpus + "/**"]),
        args = [native.package_name() + "/" + corpus],
        linkopts = select({
            "//tests/fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        **kwargs
    )
