// An MPI library (Open MPI, or one of MPICH's ABI) loaded with dlopen, so that Latent builds
// and runs without one and trains across processes when `mpirun` starts it where one is
// installed. Only what the fixed-order collectives need is bound: point-to-point exchange of
// bytes between two ranks.
//
// MPI fixes the API, not the ABI. Open MPI's handles (MPI_COMM_WORLD, MPI_BYTE, …) are the
// addresses of its global objects, found here by name, and its functions take pointers. MPICH's
// handles are int constants fixed by its ABI (MPICH 3.1 and later, Intel MPI 5 and later, Cray
// MPICH, MVAPICH 2: the "MPICH ABI compatibility initiative"), and its functions take ints: each
// ABI is called through function types of its own, never one through the other's.
#define _GNU_SOURCE  // RTLD_DEFAULT
#include "CLatentMPI.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef int (*mpi_init_fn)(int *argc, char ***argv);
typedef int (*mpi_flag_fn)(int *flag);
typedef int (*mpi_void_fn)(void);
typedef int (*mpi_comm_int_fn)(void *comm, int *value);
typedef int (*mpi_sendrecv_fn)(const void *send, int send_count, void *send_type, int destination, int send_tag,
                               void *receive, int receive_count, void *receive_type, int source, int receive_tag,
                               void *comm, void *status);
typedef int (*mpi_abort_fn)(void *comm, int code);
typedef int (*mpi_version_fn)(char *text, int *length);
typedef int (*mpi_set_errhandler_fn)(void *comm, void *handler);
typedef int (*mpi_error_string_fn)(int code, char *text, int *length);

// MPICH's ABI: handles are ints (mpi.h: MPI_Comm, MPI_Datatype and MPI_Errhandler are int).
typedef int (*mpich_comm_int_fn)(int comm, int *value);
typedef int (*mpich_sendrecv_fn)(const void *send, int send_count, int send_type, int destination, int send_tag,
                                 void *receive, int receive_count, int receive_type, int source, int receive_tag,
                                 int comm, void *status);
typedef int (*mpich_abort_fn)(int comm, int code);
typedef int (*mpich_set_errhandler_fn)(int comm, int handler);
static const int mpich_comm_world = 0x44000000, mpich_byte = 0x4c00010d, mpich_errors_return = 0x54000001;

#define BIND(field, name)                                                                   \
    do {                                                                                          \
        mpi->field = (void *)dlsym(handle, name);                                                 \
        if (!mpi->field) {                                                                        \
            snprintf(error, error_size, "MPI library '%s' has no %s", path, name);               \
            dlclose(handle);                                                                      \
            return false;                                                                         \
        }                                                                                         \
    } while (0)

bool latent_mpi_open(const char *path, bool global, latent_mpi *mpi, char *error, size_t error_size) {
    // Open MPI's components are themselves loaded with dlopen and resolve libmpi's symbols
    // globally: RTLD_LOCAL would leave them unresolved.
    void *handle = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
    if (!handle) {
        const char *why = dlerror();
        snprintf(error, error_size, "cannot load MPI library '%s': %s", path, why ? why : "unknown error");
        return false;
    }
    memset(mpi, 0, sizeof *mpi);
    BIND(init, "MPI_Init");
    BIND(initialized, "MPI_Initialized");
    BIND(finalized, "MPI_Finalized");
    BIND(finalize, "MPI_Finalize");
    BIND(comm_rank, "MPI_Comm_rank");
    BIND(comm_size, "MPI_Comm_size");
    BIND(sendrecv, "MPI_Sendrecv");
    BIND(abort_run, "MPI_Abort");
    BIND(library_version, "MPI_Get_library_version");
    BIND(set_errhandler, "MPI_Comm_set_errhandler");
    BIND(error_string, "MPI_Error_string");
    if (dlsym(handle, "ompi_mpi_comm_world")) {
        mpi->abi = LATENT_MPI_OPEN_MPI;
        BIND(comm_world, "ompi_mpi_comm_world");
        BIND(byte_type, "ompi_mpi_byte");
        BIND(errors_return, "ompi_mpi_errors_return");
    } else {
        // Without Open MPI's objects, only a library that says it is of MPICH's family has
        // the integer handles this binding assumes.
        char version[8192];
        int length = 0;
        if (((mpi_version_fn)mpi->library_version)(version, &length) != 0) length = 0;
        if (length < 0) length = 0;
        if ((size_t)length >= sizeof version) length = (int)sizeof version - 1;
        version[length] = 0;
        if (!strstr(version, "MPICH") && !strstr(version, "Intel(R) MPI") && !strstr(version, "MVAPICH")) {
            snprintf(error, error_size, "MPI library '%s' is neither Open MPI nor of MPICH's ABI (it says: %.80s)", path, version);
            dlclose(handle);
            return false;
        }
        mpi->abi = LATENT_MPI_MPICH;
    }
    mpi->handle = handle;
    return true;
}

bool latent_mpi_library_version(const latent_mpi *mpi, char *text, size_t size) {
    // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI, 8192 in MPICH.
    char buffer[8192];
    int length = 0;
    if (((mpi_version_fn)mpi->library_version)(buffer, &length) != 0) return false;
    if (length < 0) length = 0;
    if ((size_t)length >= sizeof buffer) length = (int)sizeof buffer - 1;
    buffer[length] = 0;
    snprintf(text, size, "%s", buffer);
    return true;
}

int latent_mpi_init(const latent_mpi *mpi, int *rank, int *size) {
    int flag = 0, code = ((mpi_flag_fn)mpi->initialized)(&flag);
    if (code == 0 && !flag) code = ((mpi_init_fn)mpi->init)(NULL, NULL);
    // Errors come back as codes (and become Swift errors) instead of aborting every process.
    if (mpi->abi == LATENT_MPI_MPICH) {
        if (code == 0) code = ((mpich_set_errhandler_fn)mpi->set_errhandler)(mpich_comm_world, mpich_errors_return);
        if (code == 0) code = ((mpich_comm_int_fn)mpi->comm_rank)(mpich_comm_world, rank);
        if (code == 0) code = ((mpich_comm_int_fn)mpi->comm_size)(mpich_comm_world, size);
        return code;
    }
    if (code == 0) code = ((mpi_set_errhandler_fn)mpi->set_errhandler)(mpi->comm_world, mpi->errors_return);
    if (code == 0) code = ((mpi_comm_int_fn)mpi->comm_rank)(mpi->comm_world, rank);
    if (code == 0) code = ((mpi_comm_int_fn)mpi->comm_size)(mpi->comm_world, size);
    return code;
}

int latent_mpi_exchange(const latent_mpi *mpi, const void *send, long send_bytes, int destination,
                        void *receive, long receive_bytes, int source, int tag) {
    // MPI counts are ints: larger messages go in pieces of at most 1 GiB, in order.
    const long piece = 1L << 30;
    const char *out = send;
    char *in = receive;
    // Large enough for Open MPI's MPI_Status (24 bytes) and MPICH's (20).
    long long status[8];
    while (send_bytes > 0 || receive_bytes > 0) {
        int s = (int)(send_bytes < piece ? send_bytes : piece), r = (int)(receive_bytes < piece ? receive_bytes : piece);
        int code = mpi->abi == LATENT_MPI_MPICH
            ? ((mpich_sendrecv_fn)mpi->sendrecv)(out, s, mpich_byte, destination, tag, in, r, mpich_byte, source, tag, mpich_comm_world, status)
            : ((mpi_sendrecv_fn)mpi->sendrecv)(out, s, mpi->byte_type, destination, tag, in, r, mpi->byte_type, source, tag,
                                               mpi->comm_world, status);
        if (code != 0) return code;
        out += s;
        in += r;
        send_bytes -= s;
        receive_bytes -= r;
    }
    return 0;
}

void latent_mpi_error_string(const latent_mpi *mpi, int code, char *text, size_t size) {
    char buffer[8192];
    int length = 0;
    if (((mpi_error_string_fn)mpi->error_string)(code, buffer, &length) != 0 || length <= 0) {
        snprintf(text, size, "MPI error %d", code);
        return;
    }
    if ((size_t)length >= sizeof buffer) length = (int)sizeof buffer - 1;
    buffer[length] = 0;
    snprintf(text, size, "%s", buffer);
}

void latent_mpi_abort(const latent_mpi *mpi, int code) {
    if (mpi->abi == LATENT_MPI_MPICH) {
        ((mpich_abort_fn)mpi->abort_run)(mpich_comm_world, code);
    } else {
        ((mpi_abort_fn)mpi->abort_run)(mpi->comm_world, code);
    }
}

int latent_mpi_finalize(const latent_mpi *mpi) {
    int flag = 0;
    if (((mpi_flag_fn)mpi->finalized)(&flag) == 0 && flag) return 0;
    return ((mpi_void_fn)mpi->finalize)();
}

bool latent_instrumented_with_address_sanitizer(void) { return dlsym(RTLD_DEFAULT, "__asan_init") != NULL; }
