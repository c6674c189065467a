"""Retail calendar: event windows per year, lunar alignment, holidays and make-up days."""

from workbench.calendar.events import EventWindow, RetailCalendar, default_calendar, placed_years, spring_festival

__all__ = ["EventWindow", "RetailCalendar", "default_calendar", "placed_years", "spring_festival"]
