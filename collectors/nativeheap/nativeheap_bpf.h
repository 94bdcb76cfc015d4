/* What the BPF program (nativeheap.bpf.c) and the tracer (tracer.cc) share:
 * the value of the outstanding-allocations map and the counter slots. C, so
 * that clang -target bpf compiles it too; only <linux/types.h> types. */
#ifndef COLLECTORS_NATIVEHEAP_NATIVEHEAP_BPF_H_
#define COLLECTORS_NATIVEHEAP_NATIVEHEAP_BPF_H_

#include <linux/types.h>

/* One outstanding (sampled) allocation, keyed by its address. */
struct nativeheap_alloc {
  __u64 size;     /* bytes asked for */
  __u64 caller;   /* return address into the allocating function */
  __s32 stack_id; /* in the stack map; negative when it was dropped */
  __u32 pad;
};

/* Slots of the per-CPU counter array. */
enum nativeheap_counter {
  NATIVEHEAP_RECORDED = 0,    /* sampled allocations put in the map */
  NATIVEHEAP_ALLOC_DROPS = 1, /* sampled allocations lost: map full */
  NATIVEHEAP_STACK_DROPS = 2, /* stacks lost: stack map full or no stack */
  NATIVEHEAP_FREES = 3,       /* frees that matched a recorded allocation */
  NATIVEHEAP_COUNTERS = 4,
};

#endif /* COLLECTORS_NATIVEHEAP_NATIVEHEAP_BPF_H_ */
