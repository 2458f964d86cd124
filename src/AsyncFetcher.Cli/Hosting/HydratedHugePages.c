// Linked into the Native AOT binary on Linux (AsyncFetcher.Cli.csproj, target HydratedHugePages); see
// bench/FINDINGS.md ("Start-up: page faults; ...").
//
// A Native AOT binary keeps most of its data (type descriptions, static data) compressed in the file and
// expands it at start-up, before any managed code runs, into a zero-filled section, .hydrated: 5.4 MiB
// for asyncfetch, written in full. The kernel hands that memory out a 4 KiB page at a time, one page fault
// each: about 1,200 faults, two thirds of those of `asyncfetch --version`, ~3 ms on this VM. Asked for
// transparent huge pages (madvise(MADV_HUGEPAGE)), it hands out 2 MiB at once: ~1,000 fewer faults,
// `--help` 9.3 -> 6.9 ms, a one-page crawl 18.9 -> 16.2 ms. The memory is much the same, since every page
// of .hydrated is written anyway (peak RSS +0.8 MiB: untouched pages of .bss that share a huge page).
//
// The constructor runs before main, so before the runtime expands the data. It advises the anonymous part
// (past the file's bytes) of the program's writable segment, where .bss and .hydrated lie; the kernel uses
// huge pages only for the 2 MiB-aligned stretches wholly inside it. Where transparent huge pages are off
// ("never", or not built into the kernel) the advice changes nothing; where they are "always", it is so already.

#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE (2u * 1024 * 1024)

static int advise_program(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    uintptr_t page = (uintptr_t)getpagesize();
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        // The writable segment whose zero-filled tail is large enough to hold a huge page.
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_W) && segment->p_memsz > segment->p_filesz + HUGE_PAGE) {
            uintptr_t start = (info->dlpi_addr + segment->p_vaddr + segment->p_filesz + page - 1) & ~(page - 1);
            uintptr_t end = info->dlpi_addr + segment->p_vaddr + segment->p_memsz;
            madvise((void *)start, end - start, MADV_HUGEPAGE);
        }
    }
    // The first object listed is the program itself: the shared libraries after it are not ours.
    return 1;
}

__attribute__((constructor)) static void hydrated_huge_pages(void)
{
    dl_iterate_phdr(advise_program, 0);
}
