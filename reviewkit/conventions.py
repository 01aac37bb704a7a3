"""Fixed conventions of the review's reporting, in a module without imports, so
that the steps which only write text (no pandas) can read them.

SIGNIFICANCE_LEVEL: a reported p-value counts as "below the level" when it is
below 0.05, the level the included studies test against (reviewkit.summary
counts p-values with it; templates get it as ``alpha``).

PI_VERY_IMPRECISE_BELOW: with fewer studies than this, the t(k-2) prediction
interval's multiplier is at least t(2) = 4.30, more than twice the normal
1.96, so the engine (reviewkit.synthesis.meta) flags the interval as very
imprecise and the text says so (reviewkit.text_blocks).
"""

SIGNIFICANCE_LEVEL = 0.05
PI_VERY_IMPRECISE_BELOW = 5
#: With fewer studies than this, a tau^2 estimated at 0 means that heterogeneity could not
#: be estimated, not that there is none (docs/synthesis.md); the pooling writes the flag,
#: the text reads it.
HETEROGENEITY_FEW_STUDIES = 10
#: The t(k-2) prediction interval needs at least 3 studies (Higgins et al. 2009).
PI_MIN_STUDIES = 3
#: Fewest studies for a funnel plot or a test of its asymmetry (Cochrane Handbook 13.3.5.4).
MIN_STUDIES_SMALL_STUDY = 10
#: Fewest studies for a subgroup analysis or meta-regression (Cochrane Handbook 10.11.5.1).
MIN_STUDIES_MODERATORS = 10
