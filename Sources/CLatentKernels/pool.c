// A fork-join pool for the kernels' parallel regions: workers that spin briefly before they
// sleep, so the many short regions of a training step (a GEMM of a few hundred microseconds, an
// elementwise pass of tens) do not each pay a futex wake-up and the scheduler's latency.
#include "CLatentKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum { MAX_WORKERS = 255 };
/// How long an idle worker keeps spinning for the next region before it sleeps.
static const long SPIN_NANOSECONDS = 200000;

typedef struct {
    latent_task_fn fn;
    void *context;
    long parts;
    atomic_long next;  // the next part to claim
    atomic_long done;  // parts finished
} job;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_long generation;      // bumped for each region
static _Atomic(job *) current;      // the region being run, or NULL
static atomic_long users;           // workers that may be reading `current`'s job
static atomic_bool busy;            // a caller owns the pool
static long sleepers;               // guarded by mutex
static long workers;                // guarded by mutex
static _Thread_local bool insideWorker;

static long nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void run_parts(job *j) {
    long part;
    while ((part = atomic_fetch_add(&j->next, 1)) < j->parts) {
        j->fn(j->context, part);
        atomic_fetch_add(&j->done, 1);
    }
}

static void *worker(void *unused) {
    (void)unused;
    insideWorker = true;
    long seen = atomic_load(&generation);
    for (;;) {
        long start = nanoseconds();
        for (long spins = 1; atomic_load_explicit(&generation, memory_order_acquire) == seen; spins++) {
            CPU_RELAX();
            if ((spins & 255) == 0 && nanoseconds() - start > SPIN_NANOSECONDS) {
                pthread_mutex_lock(&mutex);
                while (atomic_load(&generation) == seen) {
                    sleepers++;
                    pthread_cond_wait(&wake, &mutex);
                    sleepers--;
                }
                pthread_mutex_unlock(&mutex);
            }
        }
        seen = atomic_load(&generation);
        // Announce the read before it: the caller waits for users to reach 0 after clearing
        // `current`, so the job (on its stack) is never read after it returns.
        atomic_fetch_add(&users, 1);
        job *j = atomic_load(&current);
        if (j) run_parts(j);
        atomic_fetch_sub(&users, 1);
    }
    return NULL;
}

/// Starts workers until there are `count` (fewer if the system refuses threads).
static void ensure_workers(long count) {
    if (count > MAX_WORKERS) count = MAX_WORKERS;
    pthread_mutex_lock(&mutex);
    while (workers < count) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker, NULL);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        workers++;
    }
    pthread_mutex_unlock(&mutex);
}

void latent_parallel_run(long parts, latent_task_fn fn, void *context) {
    bool expected = false;
    // One region at a time; a region started inside another, or while another caller's runs,
    // runs its parts on the calling thread (the same parts, so the same results).
    if (parts <= 1 || insideWorker || !atomic_compare_exchange_strong(&busy, &expected, true)) {
        for (long part = 0; part < parts; part++) fn(context, part);
        return;
    }
    ensure_workers(parts - 1);
    job j = {.fn = fn, .context = context, .parts = parts};
    atomic_init(&j.next, 0);
    atomic_init(&j.done, 0);
    atomic_store(&current, &j);
    atomic_fetch_add_explicit(&generation, 1, memory_order_release);
    pthread_mutex_lock(&mutex);
    if (sleepers > 0) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mutex);
    run_parts(&j);
    for (long spins = 1; atomic_load_explicit(&j.done, memory_order_acquire) < parts; spins++) {
        CPU_RELAX();
        if ((spins & 4095) == 0) sched_yield();
    }
    atomic_store(&current, NULL);
    while (atomic_load(&users) > 0) CPU_RELAX();
    atomic_store(&busy, false);
}
