// mismatched_free.cpp: memory from new[] released with delete.
//
// Buffer allocates its storage with new char[n] but its destructor uses
// scalar delete instead of delete[].  heapcheck records how every block was
// allocated and reports mismatched-free at the delete, with the stack of the
// new[] that allocated the block.
#include <cstdio>
#include <cstring>

class Buffer {
public:
    explicit Buffer(std::size_t n) : data_(new char[n]), size_(n) {}
    ~Buffer() { delete data_; }         // BUG: must be delete[] data_
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    char *data() { return data_; }
    std::size_t size() const { return size_; }

private:
    char *data_;
    std::size_t size_;
};

int main()
{
    Buffer buf(32);
    std::snprintf(buf.data(), buf.size(), "%s", "hello from new[]");
    std::puts(buf.data());
    return 0;
}
