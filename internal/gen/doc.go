// Package gen renders a generated package in memory: the glue written with
// jennifer from the spec (header, package doc, backend names, sentinels,
// backend registry), and the template files, checked against the spec and
// merged into one package by a few named rewrites. Writing the result to
// disk is package output's job; Generate itself touches nothing.
package gen
