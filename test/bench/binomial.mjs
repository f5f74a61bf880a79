// Exact binomial bounds for the rates the benchmarks report (false alarms, detection).

/** P(X <= x) for X ~ Binomial(n, p). */
function binomialCdf(x, n, p) {
  let term = (1 - p) ** n;
  let sum = term;
  for (let k = 1; k <= x; k++) {
    term *= ((n - k + 1) / k) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/** Clopper-Pearson one-sided 95% bounds of a rate x/n: upper (for false alarms), lower (for detection). */
export function clopperPearson(x, n, confidence = 0.95) {
  const solve = (f) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid)) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const tail = 1 - confidence;
  return {
    upper: x >= n ? 1 : solve((p) => binomialCdf(x, n, p) > tail),
    lower: x <= 0 ? 0 : solve((p) => 1 - binomialCdf(x - 1, n, p) < tail),
  };
}
