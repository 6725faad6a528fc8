"""Packaged rule data (contribution schedules and adjustments); a package so that installers ship it."""
