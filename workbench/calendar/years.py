"""A year, in periods of each frequency (``D``, ``W``, ``MS``, ``QS``): the two years the models
compare a period with.

* the same-weekday year (``SAME_WEEKDAY_DAYS``, ``YEAR_BACK``): 364 days, 52 weeks, so a day is
  compared with the same weekday a year before (retail weeks repeat: a Saturday with a Saturday);
* the calendar year (``CALENDAR_DAYS``, ``CALENDAR_YEAR``): 365 days, for what follows the date
  (a fruit's season, a mean per day over a year).
"""

SAME_WEEKDAY_DAYS = 364  # days: 52 weeks
CALENDAR_DAYS = 365  # days
YEAR_BACK = {"D": SAME_WEEKDAY_DAYS, "W": 52, "MS": 12, "QS": 4}  # periods: a year back, same weekday for days
CALENDAR_YEAR = {"D": CALENDAR_DAYS, "W": 52, "MS": 12, "QS": 4}  # periods in a calendar year
