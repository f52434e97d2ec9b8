/* liblsan_init.so: preloaded beside gcc's liblsan.so.0 so that LeakSanitizer is initialized
 * before main. Preloaded alone, liblsan initializes lazily, at the first malloc; programs that call
 * signal()/sigaction() before that (perl, sqlite3, git) then crash in its interceptors. This
 * constructor forces the initialization up front. Harmless when liblsan is not loaded. */
extern void __lsan_init(void) __attribute__((weak));

__attribute__((constructor)) static void bench_lsan_init(void)
{
    if (__lsan_init)
        __lsan_init();
}
