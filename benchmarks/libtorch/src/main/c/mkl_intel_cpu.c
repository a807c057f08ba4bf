/*
 * Preloaded (LD_PRELOAD) into the libtorch baseline on AMD CPUs only. MKL decides whether to use its Intel code
 * paths (AVX-512 SGEMM) through its exported function mkl_serv_intel_cpu_true(); on AMD it returns 0 and MKL takes
 * its AVX2 "zen" path, about 2.4x slower here. Defining it to return 1 selects the Intel path; the results are
 * identical (same arithmetic, different blocking). run_djl.sh prints MKL's own report of the path it took.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}
