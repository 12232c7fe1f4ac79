#pragma once
// An optional value kept on the heap: what std::optional<T> is for a member that most objects
// leave empty, without its size in every one of them. A flat netlist holds an element per card
// (3 million of them for a 1024² crossbar), and only a few are sources or behavioural: their
// source and expression are boxed, which keeps 250 bytes out of every resistor.

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace ionspice::parser {

template <class T>
class Boxed {
public:
    Boxed() = default;
    Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    Boxed(Boxed&&) noexcept = default;
    Boxed& operator=(const Boxed& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    Boxed& operator=(Boxed&&) noexcept = default;
    Boxed& operator=(T value) {
        p_ = std::make_unique<T>(std::move(value));
        return *this;
    }

    template <class... Args>
    T& emplace(Args&&... args) {
        p_ = std::make_unique<T>(std::forward<Args>(args)...);
        return *p_;
    }
    void reset() { p_.reset(); }

    explicit operator bool() const { return p_ != nullptr; }
    bool has_value() const { return p_ != nullptr; }
    T& operator*() { return *p_; }
    const T& operator*() const { return *p_; }
    T* operator->() { return p_.get(); }
    const T* operator->() const { return p_.get(); }

private:
    std::unique_ptr<T> p_;
};

/// A vector that costs one pointer while it is empty, for the members of a flat netlist's
/// element that most elements leave empty (the references of F, H and K, flags, name=value
/// parameters): 24 bytes fewer per member in every resistor of a large array.
template <class T>
class BoxedVector {
public:
    BoxedVector() = default;
    BoxedVector(std::initializer_list<T> items) { assign(items.begin(), items.end()); }
    BoxedVector(const std::vector<T>& v) { assign(v.begin(), v.end()); }
    BoxedVector(const BoxedVector&) = default;
    BoxedVector(BoxedVector&&) noexcept = default;
    BoxedVector& operator=(const BoxedVector& o) = default;
    BoxedVector& operator=(BoxedVector&&) noexcept = default;

    std::size_t size() const { return v_ ? v_->size() : 0; }
    bool empty() const { return size() == 0; }
    const T* begin() const { return v_ ? v_->data() : nullptr; }
    const T* end() const { return begin() + size(); }
    T* begin() { return v_ ? v_->data() : nullptr; }
    T* end() { return begin() + size(); }
    const T& operator[](std::size_t k) const { return (*v_)[k]; }
    T& operator[](std::size_t k) { return (*v_)[k]; }
    const T& at(std::size_t k) const {
        if (k >= size()) throw std::out_of_range("BoxedVector::at");
        return (*v_)[k];
    }
    const T& front() const { return v_->front(); }
    const T& back() const { return v_->back(); }

    void push_back(T item) { vec().push_back(std::move(item)); }
    template <class... Args>
    T& emplace_back(Args&&... args) {
        return vec().emplace_back(std::forward<Args>(args)...);
    }
    template <class It>
    void assign(It first, It last) {
        if (first == last) {
            v_.reset();
            return;
        }
        vec().assign(first, last);
    }
    void clear() { v_.reset(); }
    void reserve(std::size_t n) {
        if (n > 0) vec().reserve(n);
    }

    operator std::span<const T>() const { return {begin(), size()}; }
    friend bool operator==(const BoxedVector& a, const std::vector<T>& b) {
        return a.size() == b.size() && std::equal(b.begin(), b.end(), a.begin());
    }
    friend bool operator==(const BoxedVector& a, const BoxedVector& b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    std::vector<T>& vec() {
        if (!v_) v_.emplace();
        return *v_;
    }
    Boxed<std::vector<T>> v_;
};

}  // namespace ionspice::parser
