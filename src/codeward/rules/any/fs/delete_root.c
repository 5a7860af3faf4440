#include <stdlib.h>
int main(void) {
    // ruleid: any.fs.delete_root
    system("rm -rf /");
    // ruleid: any.fs.delete_root
    system("rm -r -f --no-preserve-root / ");
    // ruleid: any.fs.delete_root
    system("rm -fr /*");
    // ok: any.fs.delete_root
    system("rm -rf /tmp/build");
    // ok: any.fs.delete_root
    system("rm -rf ./out");
    return 0;
}
