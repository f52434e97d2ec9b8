/* An empty shared library the driver tests preload instead of libheapcheck.so (which is built
 * separately): it only has to be a valid ELF object for ld.so. */
int heapcheck_tools_test_preload_dummy;
