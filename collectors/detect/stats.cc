#include "collectors/detect/stats.h"

#include <algorithm>
#include <cmath>

namespace memwatch::detect {
namespace {

// The exact tables cover windows of up to this many values.
constexpr int kMaxExact = 64;

// P(inversions <= k) of a uniformly random permutation of n, k = 0..M.
std::vector<double> InversionCdf(int n) {
  std::vector<double> dist{1.0};
  for (int k = 2; k <= n; ++k) {
    // Convolve with the uniform distribution on {0..k-1}.
    std::vector<double> next(dist.size() + static_cast<size_t>(k) - 1, 0.0);
    double acc = 0;
    for (size_t i = 0; i < next.size(); ++i) {
      if (i < dist.size()) acc += dist[i];
      if (i >= static_cast<size_t>(k) && i - k < dist.size()) {
        acc -= dist[i - k];
      }
      next[i] = std::max(0.0, acc) / k;
    }
    dist.swap(next);
  }
  for (size_t i = 1; i < dist.size(); ++i) dist[i] += dist[i - 1];
  return dist;
}

}  // namespace

double Median(std::vector<double>* v) {
  const size_t n = v->size();
  if (n == 0) return 0;
  auto mid = v->begin() + static_cast<long>(n / 2);
  std::nth_element(v->begin(), mid, v->end());
  if (n % 2) return *mid;
  const double hi = *mid;
  const double lo = *std::max_element(v->begin(), mid);
  return 0.5 * (lo + hi);
}

double Quantile(const double* y, size_t n, double q, std::vector<double>* tmp) {
  tmp->assign(y, y + n);
  const size_t k =
      static_cast<size_t>(std::lround(q * static_cast<double>(n - 1)));
  std::nth_element(tmp->begin(), tmp->begin() + static_cast<long>(k),
                   tmp->end());
  return (*tmp)[k];
}

double TheilSenSlope(const double* t, const double* y, size_t n,
                     std::vector<double>* scratch) {
  scratch->clear();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (t[j] > t[i]) scratch->push_back((y[j] - y[i]) / (t[j] - t[i]));
    }
  }
  return Median(scratch);
}

MannKendall MannKendallTest(const double* x, size_t n) {
  MannKendall r;
  if (n < 2) return r;
  double ties = 0;
  for (size_t i = 0; i < n; ++i) {
    bool first_of_group = true;
    long equal = 0;
    for (size_t j = 0; j < n; ++j) {
      if (x[j] == x[i]) {
        if (j < i) first_of_group = false;
        ++equal;
      }
      if (j > i) r.s += (x[j] > x[i]) - (x[j] < x[i]);
    }
    if (first_of_group && equal > 1)
      ties += static_cast<double>(equal) * (equal - 1) * (2 * equal + 5);
  }
  const double dn = static_cast<double>(n);
  r.variance = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18.0;
  if (r.variance <= 0) return r;  // all equal: no trend
  const double sd = std::sqrt(r.variance);
  if (r.s > 0) r.z = (r.s - 1) / sd;
  if (r.s < 0) r.z = (r.s + 1) / sd;
  r.p = std::erfc(std::fabs(r.z) / std::sqrt(2.0));
  return r;
}

double MannKendallExactTail(int n, long s) {
  if (n < 2 || n > kMaxExact) return 1;
  const long m = static_cast<long>(n) * (n - 1) / 2;
  if (s > m) return 0;
  if (s <= -m) return 1;
  // S >= s  <=>  inversions <= (m - s) / 2.
  const std::vector<double> cdf = InversionCdf(n);
  const long k = (m - s) / 2;  // floor: S has the parity of m
  return std::min(1.0, cdf[static_cast<size_t>(k)]);
}

long MannKendallCritical(int n, double alpha) {
  const long m = static_cast<long>(n) * (n - 1) / 2;
  if (n < 2 || n > kMaxExact) return m + 1;
  const std::vector<double> cdf = InversionCdf(n);
  long best = m + 1;
  for (long k = 0; k <= m; ++k) {
    if (cdf[static_cast<size_t>(k)] > alpha) break;
    best = m - 2 * k;
  }
  return best;
}

long MannKendallS(const double* y, size_t n) {
  long s = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) s += (y[j] > y[i]) - (y[j] < y[i]);
  }
  return s;
}

}  // namespace memwatch::detect
