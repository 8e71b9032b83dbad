// Package atomicfile replaces files so that a reader, or a crash at any moment, sees either
// the old contents or the new ones, never a mixture or a truncated file.
//
// The new contents go to a temporary file in the same directory, which is synced, closed and
// renamed over the target; then the directory itself is synced so the rename survives a
// power loss. On any failure the temporary file is removed and the target is left as it was.
package atomicfile
