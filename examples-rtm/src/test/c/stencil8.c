/*
 * C reference for the benchmark of Redwood's RTM stencil kernel: the same eighth-order leapfrog
 * update as dev.redwood.examples.rtm.wave.StencilKernel (same coefficient arrays, same loop order,
 * same flush of tiny values to zero), compiled with gcc -O3 -march=native by StencilBenchmark.
 *
 * usage: stencil8 INPUT OUTPUT STEPS REPEATS [PER_SWEEP]
 *   INPUT   int32 nzPadded, nxPadded, z0, z1, x0, x1 (the undamped box, where a = 2 and b = 1;
 *           empty if z0 == z1), then float32 arrays a, b, c, current, previous (each
 *           nzPadded * nxPadded values, depth fastest, native byte order; a, b and c zero in the
 *           frame of R cells, which the damped runs sweep through)
 *   OUTPUT  the wavefield after STEPS steps (float32, same layout)
 *   PER_SWEEP  steps per sweep of the grid: 1 (default) or 2 (then STEPS must be even)
 * Each repeat starts from INPUT's wavefields; the best repeat's time is printed as
 *   seconds=<s> updates=<grid-point updates>
 * Times are CPU time of the thread (CLOCK_THREAD_CPUTIME_ID), as on the Java side, so other work
 * sharing the machine's cores does not count against either kernel.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define R 4
#define FLUSH_BELOW 1e-30f

static const float W0 = -205.0f / 72.0f;
static const float W1 = 8.0f / 5.0f;
static const float W2 = -1.0f / 5.0f;
static const float W3 = 8.0f / 315.0f;
static const float W4 = -1.0f / 560.0f;

static inline float laplacian(const float *restrict u, long i, long n) {
  return 2.0f * W0 * u[i]
      + W1 * (u[i - 1] + u[i + 1] + u[i - n] + u[i + n])
      + W2 * (u[i - 2] + u[i + 2] + u[i - 2 * n] + u[i + 2 * n])
      + W3 * (u[i - 3] + u[i + 3] + u[i - 3 * n] + u[i + 3 * n])
      + W4 * (u[i - 4] + u[i + 4] + u[i - 4 * n] + u[i + 4 * n]);
}

static inline float flush(float v) { return fabsf(v) < FLUSH_BELOW ? 0.0f : v; }

/* p = a u - b p + c lap over [from, to) (the sponge, and the frame between columns); p holds
 * u[n-1] on entry and u[n+1] on return, as in the Java propagator, which writes the next step over
 * the previous one. */
static void damped(const float *restrict u, float *restrict p, const float *restrict a,
                   const float *restrict b, const float *restrict c, long from, long to, long n) {
  for (long i = from; i < to; i++) {
    p[i] = flush(a[i] * u[i] - b[i] * p[i] + c[i] * laplacian(u, i, n));
  }
}

/* p = 2 u - p + c lap over [from, to) (the physical rows of one column). */
static void undamped(const float *restrict u, float *restrict p, const float *restrict c,
                     long from, long to, long n) {
  for (long i = from; i < to; i++) {
    p[i] = flush(2.0f * u[i] - p[i] + c[i] * laplacian(u, i, n));
  }
}

/* Segment x of a step, as in the Java kernels' ColumnSweepKernel: from the top of column x's
 * physical rows (z0) to the top of column x + 1's, so that the bottom sponge of x, the frame
 * between the columns and the top sponge of x + 1 are one damped run (the frame's coefficients are
 * zero); the first segment starts at row R of column R, the last ends at row nz - R of its column.
 * Without an undamped box the segments are cut at row R. */
static void segment(int nz, int nx, const int box[4], int x, const float *u, float *p,
                    const float *a, const float *b, const float *c) {
  const long n = nz;
  const long top = box[0] < box[1] ? box[0] : R;
  const long from = x == R ? (long)R * n + R : (long)x * n + top;
  const long to = x == nx - R - 1 ? (long)(x + 1) * n - R : (long)(x + 1) * n + top;
  if (box[0] < box[1] && x >= box[2] && x < box[3]) {
    const long bottom = (long)x * n + box[1];
    undamped(u, p, c, from, bottom, n);
    damped(u, p, a, b, c, bottom, to, n);
  } else {
    damped(u, p, a, b, c, from, to, n);
  }
}

/* One step, segment by segment. */
static void step(int nz, int nx, const int box[4], const float *u, float *p, const float *a,
                 const float *b, const float *c) {
  for (int x = R; x < nx - R; x++) segment(nz, nx, box, x, u, p, a, b, c);
}

/* Two steps in one sweep, as the Java kernels' stepTwice: u[n], u[n-1] in u, p to u[n+2], u[n+1];
 * the second step trails the first by R + 2 segments, so the columns between them stay in cache. */
static void step_twice(int nz, int nx, const int box[4], float *u, float *p, const float *a,
                       const float *b, const float *c) {
  const int lag = R + 2;
  for (int x = R; x < nx - R + lag; x++) {
    if (x < nx - R) segment(nz, nx, box, x, u, p, a, b, c);
    if (x - lag >= R) segment(nz, nx, box, x - lag, p, u, a, b, c);
  }
}

/* Arrays on 2 MiB boundaries, with transparent huge pages asked for (the machine's THP mode is
 * madvise), as the Java side gets with -XX:+UseTransparentHugePages: large grids otherwise spend
 * much of their time in TLB misses, the 17 stencil streams touching as many 4 KiB pages. */
/* Each array also starts a different number of cache lines into its first huge page: arrays
 * that all start on 2 MiB boundaries put a[i], b[i], c[i], u[i] and p[i] in the same cache sets
 * and the same 4 KiB-alias slots, which costs large grids about 10%. */
static float *allocate(size_t count) {
  static int arrays = 0;
  size_t huge = 2u << 20;
  size_t skew = (size_t)(++arrays) * 17 * 64;
  size_t bytes = ((count * sizeof(float) + skew + huge - 1) / huge) * huge;
  char *p = aligned_alloc(huge, bytes);
  if (!p) return NULL;
  madvise(p, bytes, MADV_HUGEPAGE);
  return (float *)(p + skew);
}

static float *read_array(FILE *f, size_t count) {
  float *p = allocate(count);
  if (!p || fread(p, sizeof(float), count, f) != count) {
    fprintf(stderr, "stencil8: short input\n");
    exit(2);
  }
  return p;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: %s INPUT OUTPUT STEPS REPEATS [PER_SWEEP]\n", argv[0]);
    return 2;
  }
  int steps = atoi(argv[3]);
  int repeats = atoi(argv[4]);
  int per_sweep = argc == 6 ? atoi(argv[5]) : 1;
  if ((per_sweep != 1 && per_sweep != 2) || steps % per_sweep != 0) {
    fprintf(stderr, "stencil8: PER_SWEEP must be 1 or 2 and divide STEPS, got %s\n",
            argc == 6 ? argv[5] : "1");
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (!in) {
    perror(argv[1]);
    return 2;
  }
  int32_t dims[6];
  if (fread(dims, sizeof(int32_t), 6, in) != 6) {
    fprintf(stderr, "stencil8: short input\n");
    return 2;
  }
  int nz = dims[0], nx = dims[1];
  const int box[4] = {dims[2], dims[3], dims[4], dims[5]};
  size_t count = (size_t)nz * nx;
  float *a = read_array(in, count), *b = read_array(in, count), *c = read_array(in, count);
  float *u0 = read_array(in, count), *p0 = read_array(in, count);
  fclose(in);
  float *u = allocate(count);
  float *p = allocate(count);
  double best = 1e300;
  for (int r = 0; r < repeats; r++) {
    memcpy(u, u0, count * sizeof(float));
    memcpy(p, p0, count * sizeof(float));
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    if (per_sweep == 2) {
      for (int s = 0; s < steps; s += 2) step_twice(nz, nx, box, u, p, a, b, c);
    } else {
      for (int s = 0; s < steps; s++) {
        step(nz, nx, box, u, p, a, b, c);
        float *t = u;
        u = p;
        p = t;
      }
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    if (seconds < best) best = seconds;
  }
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(u, sizeof(float), count, out) != count) {
    perror(argv[2]);
    return 2;
  }
  fclose(out);
  printf("seconds=%.6f updates=%ld\n", best, (long)(nz - 2 * R) * (nx - 2 * R) * (long)steps);
  return 0;
}
