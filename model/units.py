"""Calendar and scale constants, defined once for the model, the experiments and the live view.

Importing this module imports nothing else, so checks that need a constant (an experiment file's
scale, say) need not load Mesa.
"""

DAYS_PER_YEAR = 365.25                      # the mean Julian year
DAYS_PER_MONTH = DAYS_PER_YEAR / 12         # a mean calendar month, 30.44 days
DAYS_PER_WEEK = 7                           # one step
WEEKS_PER_MONTH = DAYS_PER_MONTH / DAYS_PER_WEEK   # 4.348: a weekly flow times this is a monthly rate
SCALE_RANGE = (1, 100_000)                  # men per agent a model accepts
