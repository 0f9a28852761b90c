// Package fatal has only a test.
package fatal
