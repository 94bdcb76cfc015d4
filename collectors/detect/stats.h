// Robust statistics shared by the trend rule (trend.h) and the floor rule
// (floor_rule.h). Pure; `scratch`/`tmp` buffers are reused by the callers so
// that no call allocates.
#pragma once

#include <cstddef>
#include <vector>

namespace memwatch::detect {

// Median of *v (reordered); 0 when empty.
double Median(std::vector<double>* v);
// Value at rank round(q (n - 1)) of the sorted y[0..n); n > 0.
double Quantile(const double* y, size_t n, double q, std::vector<double>* tmp);

// Median of the pairwise slopes (y[j]-y[i])/(t[j]-t[i]), i < j, t[j] > t[i];
// 0 when there is no pair. `scratch` is reused so no allocation per call.
double TheilSenSlope(const double* t, const double* y, size_t n,
                     std::vector<double>* scratch);

// Mann-Kendall with the normal approximation (tie-corrected).
struct MannKendall {
  long s = 0;
  double variance = 0;  // tie-corrected
  double z = 0;         // continuity-corrected
  double p = 1;         // two-sided
};
MannKendall MannKendallTest(const double* x, size_t n);

// Exact upper tail of Mann-Kendall's S for n exchangeable values without
// ties: P(S >= s). n in [2, 64].
double MannKendallExactTail(int n, long s);
// Smallest s with P(S >= s) <= alpha; n(n-1)/2 + 1 when none.
long MannKendallCritical(int n, double alpha);
// S of y[0..n): sum over i < j of sign(y[j] - y[i]).
long MannKendallS(const double* y, size_t n);

}  // namespace memwatch::detect
