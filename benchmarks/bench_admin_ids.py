"""Walking every user id of an app: constant memory, however many users.

The emulator (served over real HTTP in this process) holds N users; ``KakaoAdmin.iter_user_ids``
walks them page by page (100 per call, as Kakao pages). The table shows the peak memory the walk
allocated (tracemalloc; after a warm-up walk, so one-time imports, pools and the emulator's own
index are not counted; the emulator's request log, about 0.3 KiB per page it serves, is) next to
what a list of all the ids would hold, for growing N: the walk's peak stays nearly flat (what
grows is the emulator's log) while the list grows with N.

    python benchmarks/bench_admin_ids.py [--users 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

from authlib_kakao import KakaoAdmin
from authlib_kakao.testing import KakaoEmulator


def walk(emulator: KakaoEmulator) -> tuple[int, int, float]:
    admin = KakaoAdmin(emulator.app.admin_key, kapi_url=str(emulator.url))
    tracemalloc.start()
    started, count, last = time.perf_counter(), 0, -1
    for user_id in admin.iter_user_ids():
        assert user_id > last  # each id once, in order
        last, count = user_id, count + 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    admin.close()
    return count, peak, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    emulator = KakaoEmulator()
    emulator.config.user_ids_rate_limit = 10**9  # measure memory, not Kakao's 100 calls/min
    print(f"{'users':>8}{'walked':>9}{'peak KiB':>10}{'list of ids KiB':>17}{'seconds':>9}")
    with emulator.serve():
        for users in sorted(args.users):
            while len(emulator.state.users) < users:
                emulator.add_user()
            walk(emulator)  # warm-up: imports, pools and the emulator's own sorted index
            count, peak, seconds = walk(emulator)
            ids_list = sys.getsizeof(list(range(count))) + count * 32  # list + 64-bit ints
            print(f"{users:>8}{count:>9}{peak // 1024:>10}{ids_list // 1024:>17}{seconds:>9.1f}")


if __name__ == "__main__":
    main()
