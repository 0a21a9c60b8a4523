// CLatentMPI: an MPI library opened at run time (no MPI header or link needed at build time), for Collectives.
#ifndef CLATENTMPI_H
#define CLATENTMPI_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - MPI, loaded at run time

/// The two ABIs of MPI libraries: Open MPI's handles are addresses of its objects; MPICH's
/// (and those of its ABI: Intel MPI, Cray MPICH, MVAPICH) are integer constants.
typedef enum { LATENT_MPI_OPEN_MPI = 0, LATENT_MPI_MPICH = 1 } latent_mpi_abi;

/// An MPI library opened with dlopen: its entry points and handles, untyped here because MPI
/// fixes no ABI (see mpi.c).
typedef struct {
    void *handle;
    latent_mpi_abi abi;
    void *init, *initialized, *finalized, *finalize, *comm_rank, *comm_size, *sendrecv, *abort_run;
    void *library_version, *set_errhandler, *error_string;
    /// Open MPI's handles (addresses).
    void *comm_world, *byte_type, *errors_return;
} latent_mpi;

/// Opens `path` (a file path or a soname such as "libmpi.so.40" or "libmpich.so.12") and
/// binds what Latent uses; false with a message in `error` when it does not load or is neither
/// Open MPI nor of MPICH's ABI. `global` makes its symbols global, as Open MPI's components
/// need when MPI is initialized; a library only asked its version is opened local, so that two
/// MPI libraries probed by one process do not bind each other's symbols.
bool latent_mpi_open(const char *path, bool global, latent_mpi *mpi, char *error, size_t error_size);
/// The library's own version text (MPI_Get_library_version; callable before initialization).
bool latent_mpi_library_version(const latent_mpi *mpi, char *text, size_t size);
/// MPI_Init (unless done), errors returned as codes on MPI_COMM_WORLD, this process's rank
/// and the world's size; 0 on success, else an MPI error code.
int latent_mpi_init(const latent_mpi *mpi, int *rank, int *size);
/// Sends `send_bytes` to `destination` while receiving `receive_bytes` from `source`
/// (MPI_Sendrecv on bytes, in pieces under 2³¹); 0 on success, else an MPI error code.
int latent_mpi_exchange(const latent_mpi *mpi, const void *send, long send_bytes, int destination,
                        void *receive, long receive_bytes, int source, int tag);
/// The text of an MPI error code.
void latent_mpi_error_string(const latent_mpi *mpi, int code, char *text, size_t size);
/// MPI_Abort on MPI_COMM_WORLD: ends every process of the run.
void latent_mpi_abort(const latent_mpi *mpi, int code);
/// MPI_Finalize, unless already done; 0 on success.
int latent_mpi_finalize(const latent_mpi *mpi);
/// Whether this process carries AddressSanitizer's runtime (a sanitizer build), whose
/// interceptors MPICH's library crashes when loaded.
bool latent_instrumented_with_address_sanitizer(void);

#ifdef __cplusplus
}
#endif
#endif
