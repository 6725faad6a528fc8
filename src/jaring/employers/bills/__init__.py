"""Employers' monthly bills (#15): ``services`` issues and pays them."""
