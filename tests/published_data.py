"""Published data sets the synthesis tests reproduce published results on.

Each is copied from its published source (named with it); the expected numbers live in the
tests, next to the citation of the output they come from.
"""

# dat.bcg (Colditz et al., JAMA 1994;271:698), as in metafor / metadat
# (metadat data-raw/dat.bcg.txt): tpos, tneg, cpos, cneg, ablat, year, alloc
BCG = [
    (4, 119, 11, 128, 44, 1948, "random"),
    (6, 300, 29, 274, 55, 1949, "random"),
    (3, 228, 11, 209, 42, 1960, "random"),
    (62, 13536, 248, 12619, 52, 1977, "random"),
    (33, 5036, 47, 5761, 13, 1973, "alternate"),
    (180, 1361, 372, 1079, 44, 1953, "alternate"),
    (8, 2537, 10, 619, 19, 1973, "random"),
    (505, 87886, 499, 87892, 13, 1980, "random"),
    (29, 7470, 45, 7232, 27, 1968, "random"),
    (17, 1699, 65, 1600, 42, 1961, "systematic"),
    (186, 50448, 141, 27197, 18, 1974, "systematic"),
    (5, 2493, 3, 2338, 33, 1969, "systematic"),
    (27, 16886, 29, 17825, 33, 1976, "systematic"),
]

# dat.egger2001 (Egger, Davey Smith & Altman 2001; magnesium in myocardial infarction),
# metadat data-raw/dat.egger2001.txt: ai, n1i, ci, n2i (the last row is ISIS-4)
EGGER2001 = [
    (1, 40, 2, 36),
    (9, 135, 23, 135),
    (2, 200, 7, 200),
    (1, 48, 1, 46),
    (10, 150, 8, 148),
    (1, 59, 9, 56),
    (1, 25, 3, 23),
    (0, 22, 1, 21),
    (6, 76, 11, 75),
    (1, 27, 7, 27),
    (2, 89, 12, 80),
    (5, 23, 13, 33),
    (4, 130, 8, 122),
    (90, 1159, 118, 1157),
    (4, 107, 17, 108),
    (2216, 29011, 2103, 29039),
]

# dat.normand1999 (Normand, Stat Med 1999;18:321; length of hospital stay, days),
# metadat data-raw/dat.normand1999.txt: n1i, m1i, sd1i, n2i, m2i, sd2i
NORMAND1999 = [
    (155, 55, 47, 156, 75, 64),
    (31, 27, 7, 32, 29, 4),
    (75, 64, 17, 71, 119, 29),
    (18, 66, 20, 18, 137, 48),
    (8, 14, 8, 13, 18, 11),
    (57, 19, 7, 52, 18, 4),
    (34, 52, 45, 33, 41, 34),
    (110, 21, 16, 183, 31, 27),
    (60, 30, 27, 52, 23, 20),
]

# sbp (Riley, Higgins & Deeks, BMJ 2011;342:d549; hypothetical blood-pressure trials),
# as shipped in the R package pimeta (data/sbp.RData): y (SMD), sigmak (SE)
SBP_Y = [0.0, 0.1, -0.4, -0.8, -0.63, 0.22, -0.34, -0.51, 0.03, -0.81]
SBP_SE = [
    0.42347717,
    0.21939179,
    0.02551067,
    0.19898325,
    0.30102594,
    0.30102594,
    0.07142988,
    0.10204269,
    0.12245123,
    0.30102594,
]

# CLASP example of DerSimonian & Kacker, Contemp Clin Trials 2007;28:105 (Table 1), as in
# metafor tests/testthat/test_analysis_example_dersimonian2007.r: ai, n1i, ci, n2i
CLASP = [
    (5, 156, 8, 74),
    (5, 303, 17, 303),
    (12, 565, 9, 477),
    (69, 1570, 94, 1565),
    (9, 103, 11, 105),
    (313, 4659, 352, 4650),
]
