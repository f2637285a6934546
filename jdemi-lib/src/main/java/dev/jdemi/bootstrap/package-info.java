/**
 * Assembly: maps a {@link dev.jdemi.LibOSName} to a runtime, a transport and a LibOS, and registers the providers
 * that {@link dev.jdemi.LibOS#open} finds. The only package that wires a transport to
 * {@link dev.jdemi.libos.NetworkLibOS}; nothing in the library depends on it.
 */
package dev.jdemi.bootstrap;
