// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only
/* Outstanding native allocations of one process, by user stack.
 *
 * Uprobes on the process's own libc (malloc, calloc, realloc, free and the
 * aligned allocators) and on libstdc++'s operator new. An allocation's size and
 * stack are taken at the entry of the outermost traced call of a thread, its
 * address at that call's return (uretprobe); free deletes the address.
 *
 * The stack is taken at function entry, where the frame-pointer walk of
 * bpf_get_stackid misses the immediate caller (the return address is at the
 * top of the stack, not in a frame record): it is read from [sp] and kept
 * beside the stack id. operator new gets no return probe (a uretprobe's
 * trampoline breaks C++ exception unwinding, and new throws bad_alloc): its
 * entry leaves an "adoptable" record that the malloc it calls takes over, so
 * the allocation is attributed to new's caller.
 *
 * The program reads only the probe's registers (struct pt_regs is UAPI) and
 * user memory: no kernel structure, hence no CO-RE relocation and no need
 * for vmlinux BTF or kernel headers where it runs. */

/* The kernel's UAPI types first: libbpf's headers use them. */
// clang-format off
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
// clang-format on

#include "collectors/nativeheap/nativeheap_bpf.h"

/* GPL-compatible: bpf_get_stackid and bpf_probe_read_user require it. */
char LICENSE[] SEC("license") = "GPL";

/* Set by the tracer before load (frozen .rodata). */
const volatile __u32 target_tgid = 0; /* in the target's own pid namespace */
const volatile __u64 pidns_dev = 0;   /* that namespace (nsfs dev, inode) */
const volatile __u64 pidns_ino = 0;
const volatile __u32 sample_every = 1; /* trace 1 in N outermost calls */

/* Set through the mmapped .bss when the window ends: removing uprobes takes
 * ~0.1 s each, so the tracer stops them first and detaches afterwards. */
volatile __u32 stopped = 0;

/* A thread inside a traced call. */
struct inflight {
  __u64 size;
  __u64 memptr;  /* posix_memalign's void **, else 0 */
  __u64 old_ptr; /* realloc's old pointer, else 0 */
  __u64 caller;
  __u64 sp;
  __u64 ts;
  __s32 stack_id;
  __u32 depth; /* nested traced calls with a return probe */
  __u8 sampled;
  __u8 adoptable; /* from operator new: no return probe of its own */
  __u8 pad[6];
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32); /* thread id */
  __type(value, struct inflight);
} inflight SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 131072); /* resized by the tracer */
  __type(key, __u64);          /* address */
  __type(value, struct nativeheap_alloc);
} allocs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __uint(max_entries, 8192);              /* resized by the tracer */
  __uint(value_size, 32 * sizeof(__u64)); /* frames; resized */
  __type(key, __u32);
} stacks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NATIVEHEAP_COUNTERS);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

/* A nested call runs deeper on the same stack, soon after the outer one; a
 * record failing this is left over from a call whose return never came. */
#define NESTED_MAX_STACK_BYTES (64 * 1024)
#define NESTED_MAX_NS (1000ULL * 1000 * 1000)

static __always_inline void count(__u32 slot) {
  __u64 *v = bpf_map_lookup_elem(&counters, &slot);
  if (v) *v += 1;
}

static __always_inline int is_target(void) {
  struct bpf_pidns_info ns = {};
  if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
    return 0;
  return ns.tgid == target_tgid;
}

static __always_inline __u64 caller_of(struct pt_regs *ctx) {
#if defined(__TARGET_ARCH_x86)
  __u64 ret = 0;
  bpf_probe_read_user(&ret, sizeof(ret), (void *)PT_REGS_SP(ctx));
  return ret;
#else
  return PT_REGS_RET(ctx); /* the link register */
#endif
}

static __always_inline int nested_in(const struct inflight *cur, __u64 sp,
                                     __u64 now) {
  return cur->sp > sp && cur->sp - sp < NESTED_MAX_STACK_BYTES &&
         now - cur->ts < NESTED_MAX_NS;
}

static __always_inline int on_enter(struct pt_regs *ctx, __u64 size,
                                    __u64 memptr, __u64 old_ptr,
                                    int has_return) {
  if (stopped || !is_target()) return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  __u64 sp = PT_REGS_SP(ctx);
  __u64 now = bpf_ktime_get_ns();
  struct inflight *cur = bpf_map_lookup_elem(&inflight, &tid);
  if (cur && nested_in(cur, sp, now)) {
    if (!has_return) return 0; /* operator new inside operator new[] */
    if (cur->adoptable) {      /* the libc call inside operator new */
      cur->adoptable = 0;
      cur->size = size;
      cur->memptr = memptr;
      cur->old_ptr = old_ptr;
      return 0;
    }
    cur->depth += 1;
    return 0;
  }
  struct inflight in = {};
  in.size = size;
  in.memptr = memptr;
  in.old_ptr = old_ptr;
  in.sp = sp;
  in.ts = now;
  in.stack_id = -1;
  in.adoptable = !has_return;
  in.sampled = sample_every <= 1 || bpf_get_prandom_u32() % sample_every == 0;
  if (in.sampled) {
    in.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
    if (in.stack_id < 0) count(NATIVEHEAP_STACK_DROPS);
    in.caller = caller_of(ctx);
  }
  bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY);
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, __u64 size) {
  return on_enter(ctx, size, 0, 0, 1);
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, __u64 n, __u64 size) {
  return on_enter(ctx, n * size, 0, 0, 1);
}

SEC("uprobe")
int BPF_KPROBE(realloc_enter, __u64 ptr, __u64 size) {
  return on_enter(ctx, size, 0, ptr, 1);
}

/* memalign(alignment, size), aligned_alloc(alignment, size) */
SEC("uprobe")
int BPF_KPROBE(memalign_enter, __u64 alignment, __u64 size) {
  return on_enter(ctx, size, 0, 0, 1);
}

SEC("uprobe")
int BPF_KPROBE(posix_memalign_enter, __u64 memptr, __u64 alignment,
               __u64 size) {
  return on_enter(ctx, size, memptr, 0, 1);
}

/* valloc(size), pvalloc(size) */
SEC("uprobe")
int BPF_KPROBE(valloc_enter, __u64 size) {
  return on_enter(ctx, size, 0, 0, 1);
}

/* Every operator new / new[] variant takes the size first. */
SEC("uprobe")
int BPF_KPROBE(new_enter, __u64 size) { return on_enter(ctx, size, 0, 0, 0); }

SEC("uretprobe")
int BPF_KRETPROBE(alloc_exit, __u64 ret) {
  if (stopped) return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct inflight *cur = bpf_map_lookup_elem(&inflight, &tid);
  if (!cur || cur->adoptable) return 0;
  if (cur->depth > 0) {
    cur->depth -= 1;
    return 0;
  }
  struct inflight in = *cur;
  bpf_map_delete_elem(&inflight, &tid);
  __u64 addr = ret;
  if (in.memptr) { /* posix_memalign: 0 on success, the pointer in *memptr */
    if (ret != 0) return 0;
    bpf_probe_read_user(&addr, sizeof(addr), (void *)in.memptr);
  }
  if (in.old_ptr && (addr || in.size == 0)) {
    if (bpf_map_delete_elem(&allocs, &in.old_ptr) == 0) count(NATIVEHEAP_FREES);
  }
  if (!in.sampled || !addr) return 0;
  struct nativeheap_alloc a = {};
  a.size = in.size;
  a.caller = in.caller;
  a.stack_id = in.stack_id;
  if (bpf_map_update_elem(&allocs, &addr, &a, BPF_ANY))
    count(NATIVEHEAP_ALLOC_DROPS);
  else
    count(NATIVEHEAP_RECORDED);
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(free_enter, __u64 addr) {
  if (stopped || !addr || !is_target()) return 0;
  if (bpf_map_delete_elem(&allocs, &addr) == 0) count(NATIVEHEAP_FREES);
  return 0;
}
