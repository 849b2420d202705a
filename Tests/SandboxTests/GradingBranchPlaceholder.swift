// Placeholder so the package resolves on branch `grading`: Tests/SandboxTests is in
// Package.swift but its tests live on main. Delete when merging main.
import Testing
