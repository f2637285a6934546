/**
 * The Java side of jdemi's C ABI: what {@code libdemikernel.so} calls when a C program calls a {@code demi_*}
 * function.
 *
 * <p>{@link dev.jdemi.nativeabi.NativeAbi#install} is called once per process (through JNI, by the library's boot
 * code) and fills the library's entry table with FFM upcall stubs; from then on each {@code demi_*} call is one
 * upcall into {@code CApi}, which reads and writes the C structures in place and returns a positive errno, never an
 * exception. SGAs cross the boundary as opaque handles ({@code SgaTable}); each C thread that called
 * {@code demi_init} has its own LibOS ({@code Context}), as upstream's thread-local LibOS.
 *
 * <p>Depends on the public API of the library ({@code dev.jdemi}) only, and on {@code java.lang.foreign}: this
 * package, outside the library, is where raw C pointers are reinterpreted.
 */
package dev.jdemi.nativeabi;
