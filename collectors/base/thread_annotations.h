// Clang thread-safety analysis attributes (-Wthread-safety). Under clang they
// let the compiler check that guarded members are touched only with their
// mutex held; under g++ (the normal build) they expand to nothing.
// scripts/thread-safety builds everything with clang-14 and the check as an
// error. Names follow clang's documentation (and Abseil).
#pragma once

#if defined(__clang__)
#define MEMWATCH_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MEMWATCH_THREAD_ANNOTATION(x)
#endif

// A class that is a lock (Mutex below).
#define CAPABILITY(x) MEMWATCH_THREAD_ANNOTATION(capability(x))
// A RAII class that holds a lock for its lifetime (MutexLock below).
#define SCOPED_CAPABILITY MEMWATCH_THREAD_ANNOTATION(scoped_lockable)
// The member may be read or written only with the mutex held.
#define GUARDED_BY(x) MEMWATCH_THREAD_ANNOTATION(guarded_by(x))
// What the pointer member points to is guarded by the mutex.
#define PT_GUARDED_BY(x) MEMWATCH_THREAD_ANNOTATION(pt_guarded_by(x))
// Lock ordering: this mutex is taken after / before the given ones.
#define ACQUIRED_AFTER(...) \
  MEMWATCH_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) \
  MEMWATCH_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
// The caller must hold the mutex(es).
#define REQUIRES(...) \
  MEMWATCH_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) \
  MEMWATCH_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The function takes / releases the mutex (held on return / on entry).
#define ACQUIRE(...) MEMWATCH_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MEMWATCH_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) \
  MEMWATCH_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// The caller must NOT hold the mutex(es): the function takes them itself.
#define EXCLUDES(...) MEMWATCH_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function checks at run time that the mutex is held.
#define ASSERT_CAPABILITY(x) MEMWATCH_THREAD_ANNOTATION(assert_capability(x))
// The function returns a reference to the given mutex.
#define RETURN_CAPABILITY(x) MEMWATCH_THREAD_ANNOTATION(lock_returned(x))
// Opts one function out of the analysis; say why next to every use.
#define NO_THREAD_SAFETY_ANALYSIS \
  MEMWATCH_THREAD_ANNOTATION(no_thread_safety_analysis)
