using System.Buffers.Binary;
using System.Text;

namespace AeCourse.Runtime;

/// <summary>
/// The few parts of a 64-bit little-endian ELF shared object that symbol versioning needs:
/// version definitions (what a library provides, e.g. libstdc++'s GLIBCXX_3.4.30),
/// version needs (what a library requires) and which relocations use which version.
/// </summary>
/// <remarks>Reads the whole file into memory; the libraries it is used on are a few MB.</remarks>
public sealed class ElfImage
{
    const uint ShtRela = 4;
    const uint ShtDynsym = 11;
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtGnuVersym = 0x6fffffff;

    /// <summary>vna_flags bit: a missing version is not an error for the dynamic loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    readonly byte[] _bytes;
    readonly Section[] _sections;

    /// <summary>The file this image was read from, for messages.</summary>
    public string Path { get; }

    /// <summary>The bytes of the file, with any patch applied.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    ElfImage(string path, byte[] bytes)
    {
        Path = path;
        _bytes = bytes;
        _sections = ReadSections();
    }

    /// <summary>Reads and checks an ELF file.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF object.</exception>
    public static ElfImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file (bad magic number).");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported (class {bytes[4]}, data {bytes[5]}).");
        return new ElfImage(path, bytes);
    }

    /// <summary>Version names this object defines (for libstdc++: GLIBCXX_3.4 … GLIBCXX_3.4.N, CXXABI_…).</summary>
    public IReadOnlyList<string> VersionDefinitions()
    {
        var names = new List<string>();
        foreach (var s in _sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strings = _sections[s.Link];
            long entry = s.Offset;
            for (int i = 0; i < s.Info; i++)
            {
                // Elf64_Verdef: vd_version(2) vd_flags(2) vd_ndx(2) vd_cnt(2) vd_hash(4) vd_aux(4) vd_next(4)
                uint aux = U32(entry + 12);
                uint next = U32(entry + 16);
                // Elf64_Verdaux: vda_name(4) vda_next(4); the first aux names the version itself.
                names.Add(String(strings, U32(entry + aux)));
                if (next == 0) break;
                entry += next;
            }
        }
        return names;
    }

    /// <summary>Versions this object needs from other libraries.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var needs = new List<VersionNeed>();
        foreach (var s in _sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strings = _sections[s.Link];
            long entry = s.Offset;
            for (int i = 0; i < s.Info; i++)
            {
                // Elf64_Verneed: vn_version(2) vn_cnt(2) vn_file(4) vn_aux(4) vn_next(4)
                int count = U16(entry + 2);
                string file = String(strings, U32(entry + 4));
                long aux = entry + U32(entry + 8);
                for (int j = 0; j < count; j++)
                {
                    // Elf64_Vernaux: vna_hash(4) vna_flags(2) vna_other(2) vna_name(4) vna_next(4)
                    needs.Add(new VersionNeed(file, String(strings, U32(aux + 8)), U16(aux + 6), U16(aux + 4), aux));
                    uint nextAux = U32(aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return needs;
    }

    /// <summary>
    /// Number of relocations whose symbol is bound to the given version index: a version with none
    /// is referenced by no code path that the loader resolves, so it may be marked weak.
    /// </summary>
    public int RelocationsUsingVersion(ushort versionIndex)
    {
        var dynsymIndex = Array.FindIndex(_sections, s => s.Type == ShtDynsym);
        var versym = _sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (dynsymIndex < 0 || versym is null) return 0;
        int used = 0;
        foreach (var rela in _sections.Where(s => s.Type == ShtRela && s.Link == dynsymIndex))
        {
            for (long at = rela.Offset; at + 24 <= rela.Offset + rela.Size; at += 24)
            {
                // Elf64_Rela: r_offset(8) r_info(8) r_addend(8); symbol index in the high 32 bits of r_info.
                long symbol = (long)(U64(at + 8) >> 32);
                if (symbol == 0) continue;
                // The hidden bit (0x8000) does not change which version is meant.
                if ((U16(versym.Offset + 2 * symbol) & 0x7fff) == versionIndex) used++;
            }
        }
        return used;
    }

    /// <summary>Sets the weak flag on one needed version, in memory; <see cref="Bytes"/> then holds the patched file.</summary>
    public void MarkWeak(VersionNeed need)
    {
        ushort flags = (ushort)(need.Flags | VerFlagWeak);
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan((int)need.FileOffset + 4, 2), flags);
    }

    Section[] ReadSections()
    {
        long shoff = (long)U64(0x28);
        int entsize = U16(0x3a), count = U16(0x3c);
        if (shoff <= 0 || entsize < 64 || shoff + (long)count * entsize > _bytes.Length)
            throw new InvalidDataException($"{Path}: section header table lies outside the file (truncated?).");
        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            long h = shoff + (long)i * entsize;
            var s = new Section(U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), (int)U32(h + 40), U32(h + 44));
            if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > _bytes.Length)
                throw new InvalidDataException($"{Path}: section {i} lies outside the file (truncated?).");
            sections[i] = s;
        }
        return sections;
    }

    string String(Section table, uint offset)
    {
        int start = (int)(table.Offset + offset);
        int end = Array.IndexOf(_bytes, (byte)0, start);
        return Encoding.ASCII.GetString(_bytes, start, end - start);
    }

    ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)at, 2));
    uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)at, 4));
    ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)at, 8));

    sealed record Section(uint Type, long Offset, long Size, int Link, uint Info);
}

/// <summary>One version an ELF object needs: e.g. GLIBCXX_3.4.32 from libstdc++.so.6.</summary>
/// <param name="File">The library the version is needed from.</param>
/// <param name="Name">The version name.</param>
/// <param name="Index">The index symbols use to refer to this version (vna_other).</param>
/// <param name="Flags">vna_flags; bit 0x2 marks the need as weak.</param>
/// <param name="FileOffset">Where the Elf64_Vernaux entry lies in the file.</param>
public sealed record VersionNeed(string File, string Name, ushort Index, ushort Flags, long FileOffset)
{
    /// <summary>Whether a missing version is tolerated by the loader.</summary>
    public bool IsWeak => (Flags & ElfImage.VerFlagWeak) != 0;
}
